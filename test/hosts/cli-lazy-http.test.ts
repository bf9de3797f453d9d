import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleScript } from './module-script'
import { startAnsweringServer, type AnsweringServer } from '../fixtures/answering-server'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * Node's HTTP server and client modules (node:http and its seven internal modules) are no part of a request
 * sent through undici: the built CLI loads them only for what uses them (the webhook inbox listening, a
 * Socket.IO probe). Loading them cost `send` ~24 million instructions (~6 %, Node compiling them on each start).
 * Needs `npm run build` first (npm test builds before the unit tests); FLIGHTDECK_TEST_CLI points at another
 * build.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')

let server: AnsweringServer
let base: string
let dir: string
beforeAll(async () => {
  server = await startAnsweringServer('{"ok":true}', 'application/json')
  base = server.base
  dir = mkdtempSync(join(tmpdir(), 'fd-lazy-http-'))
  const collection = join(dir, 'collection')
  mkdirSync(collection)
  writeFileSync(
    join(collection, 'collection.yaml'),
    `flightdeck: 1\nname: Lazy\nvariables:\n  base: ${base}\n`,
  )
  writeFileSync(
    join(collection, 'hit.yaml'),
    'name: Hit\nurl: "{{base}}/hit"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A command through the built CLI; the Node modules it loaded whose names start with `http` or `_http`. */
async function httpModulesLoaded(args: string[]): Promise<{ code: number | null; loaded: string[] }> {
  const script = `
const before = new Set(process.moduleLoadList)
const m = await import(${JSON.stringify(entry)})
process.exitCode = await m.runCli(${JSON.stringify(args)})
const loaded = process.moduleLoadList.filter((x) => !before.has(x) && /^NativeModule _?http(\\b|_)/.test(x))
process.stderr.write('[http] ' + JSON.stringify(loaded.map((x) => x.slice(13))) + '\\n')
`
  const { code, err } = await runModuleScript(script, {
    env: {
      FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
      FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
    },
    // Within the test's own 20 s: a hang ends as a clear failure, not a stuck run.
  })
  const line = err.split('\n').find((l) => l.startsWith('[http] '))
  if (!line) throw new Error(`no [http] line (exit ${code}): ${err.slice(-2000)}`)
  return { code, loaded: JSON.parse(line.slice('[http] '.length)) as string[] }
}

describe("the built CLI and Node's HTTP modules", () => {
  it('send loads none of them', async () => {
    expect(await httpModulesLoaded(['send', `${base}/x`])).toEqual({ code: 0, loaded: [] })
  })

  it('a one-request run loads none of them', async () => {
    const run = await httpModulesLoaded(['run', join(dir, 'collection')])
    expect(run).toEqual({ code: 0, loaded: [] })
  })
})
