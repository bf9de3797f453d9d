import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * `flightdeck run` as a CI step, attacked from outside: a report path that is a link planted in the output
 * folder, a report path that is a folder, and the SIGTERM a CI runner sends when a job is cancelled or times out.
 */

let server: RawServer
let root: string
let dir: string

function flightdeck(
  args: string[],
  onStart?: (kill: (s: NodeJS.Signals) => void) => void,
): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, onStart ? { root, onStart } : { root })
}

beforeAll(async () => {
  // /ok answers at once; /hang sends its head and 3 of the 10 body bytes it announced, then nothing.
  server = await startRawServer((socket, head) => {
    if (pathOf(head) === '/hang') socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
    else socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
  })
  root = mkdtempSync(join(tmpdir(), 'fd-attack-reports-'))
  dir = join(root, 'api')
  mkdirSync(join(dir, 'slow'), { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: CI\nvariables:\n  base: ${server.url}\n`)
  writeFileSync(
    join(dir, 'ok.yaml'),
    "name: Ok\nmethod: GET\nurl: '{{base}}/ok'\nassertions:\n  - kind: status\n    equals: 200\n",
  )
  writeFileSync(join(dir, 'slow', 'hang.yaml'), "name: Hang\nmethod: GET\nurl: '{{base}}/hang'\n")
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck run reports, attacked', () => {
  it('a report path that is a link to a file outside the output folder replaces the link; the file is untouched', async () => {
    const out = join(root, 'out-link')
    mkdirSync(out)
    const victim = join(root, 'precious.txt')
    writeFileSync(victim, 'do not overwrite\n')
    symlinkSync(victim, join(out, 'junit.xml'))
    symlinkSync(victim, join(out, 'run.json'))
    const r = await flightdeck(['run', dir, 'ok', '--reporter', 'cli,junit,json', '--out', out])
    expect(r.code).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('do not overwrite\n')
    expect(lstatSync(join(out, 'junit.xml')).isFile()).toBe(true)
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('<testsuites')
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({ collection: 'CI' })
  })

  it('a report path that is a folder: exit 2 naming it, and the other reports are still written', async () => {
    const out = join(root, 'out-dir')
    mkdirSync(join(out, 'run.json'), { recursive: true })
    const r = await flightdeck(['run', dir, 'ok', '--reporter', 'cli,json,junit', '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(join(out, 'run.json'))
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('<testsuites')
    expect(readlinkSafe(join(out, 'run.json'))).toBe('a folder')
  })

  it('SIGTERM mid-run (a CI job cancelled or timed out) cancels it: exit 143, and the reports are written', async () => {
    const out = join(root, 'out-term')
    const hits = (): number => server.heads.filter((h) => pathOf(h) === '/hang').length
    const before = hits()
    const r = await flightdeck(['run', dir, 'slow', '--reporter', 'cli,junit,json', '--out', out], (kill) => {
      // Once the request is out (the handler is installed by then), bounded in time.
      const deadline = Date.now() + 30_000
      const poll = setInterval(() => {
        if (hits() > before || Date.now() > deadline) {
          clearInterval(poll)
          kill('SIGTERM')
        }
      }, 10)
    })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(143)
    expect(r.stdout).toContain('The run was cancelled.')
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8')
    expect(junit).toContain('<error message="cancelled')
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { cancelled?: boolean }
    expect(json.cancelled).toBe(true)
  })
})

function readlinkSafe(path: string): string {
  try {
    return `a link to ${readlinkSync(path)}`
  } catch {
    return lstatSync(path).isDirectory() ? 'a folder' : 'a file'
  }
}
