import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'

/**
 * `flightdeck run` opens the collection as part of starting the run (the plan takes what that open read, without
 * looking at each file again): what a person sees is as before — the open's errors in the same words with exit
 * 2, the report naming the collection, each request run once as its file says at the start.
 */

let server: RunnerServer
let root: string

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runRunCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, out, err }
}

function put(dir: string, rel: string, text: string): void {
  const abs = join(dir, rel)
  mkdirSync(join(abs, '..'), { recursive: true })
  writeFileSync(abs, text)
}

const request = (name: string, target: string): string =>
  `name: ${name}\nmethod: GET\nurl: "{{base}}/echo?at=${target}"\nassertions:\n  - kind: status\n    equals: 200\n`

beforeAll(async () => {
  server = await startRunnerServer()
  root = mkdtempSync(join(tmpdir(), 'fd-cli-run-open-'))
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck run opening its collection', () => {
  it('a folder without collection.yaml: exit 2, the open refusal in its words', async () => {
    const bare = join(root, 'bare')
    mkdirSync(bare)
    put(bare, 'a.yaml', request('A', 'a'))
    expect(await run(bare)).toEqual({
      code: 2,
      out: '',
      err: `flightdeck: ${bare} has no collection.yaml: it is not a Flightdeck collection yet\n`,
    })
  })

  it('a request file that does not parse: a failed item naming its path and line, exit 1', async () => {
    const broken = join(root, 'broken')
    put(broken, 'collection.yaml', `name: Broken\nvariables:\n  base: ${server.url}\n`)
    put(broken, 'a.yaml', 'name: A\nmethod: "G T"\nurl: x\n')
    const r = await run(broken)
    expect({ code: r.code, err: r.err }).toEqual({ code: 1, err: '' })
    expect(r.out).toContain('✗ a.yaml #1: parse: a.yaml line 2: method: Method must be an HTTP token\n')
  })

  it('runs every request once, in tree order, as its file says; the report names the collection', async () => {
    const dir = join(root, 'ok')
    put(dir, 'collection.yaml', `name: Opened by the run\nvariables:\n  base: ${server.url}\n`)
    put(dir, 'b/second.yaml', request('Second', 'second'))
    put(dir, 'a/first.yaml', request('First', 'first'))
    put(dir, 'z.yaml', request('Last', 'last'))
    const r = await run(dir, '--reporter', 'json', '--concurrency', '1')
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' })
    const report = JSON.parse(r.out) as JsonRunReport
    expect(report).toMatchObject({ collection: 'Opened by the run', dir })
    expect(server.urls('/echo')).toEqual(['/echo?at=first', '/echo?at=second', '/echo?at=last'])
  })
})
