import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'

/**
 * A newman collection moved to `flightdeck run` in CI, using `setNextRequest` as newman users do: a
 * pagination loop (a step runs again until a page says stop) and `setNextRequest(null)` ending an iteration
 * early. Every check passed, yet the run exited 1 without a reason ("7 passed, 0 failed", or "2 not run"),
 * because its step count was not the planned one. Newman exits 0 on both. A real failure still exits 1.
 */

let server: RawServer
let root: string

function flightdeck(args: string[]): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root })
}

function collection(name: string, files: Record<string, string>): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
  return dir
}

const header = (order: string[]): string =>
  `flightdeck: 1\nname: Paged\nvariables:\n  base: ${server.url}\norder:\n${order.map((o) => `  - ${o}\n`).join('')}`

beforeAll(async () => {
  // The server closes after each answer and says so (Connection: close): this file is about setNextRequest's
  // exit codes, not about a connection the server closes unannounced (a reused one was reset once in CI).
  server = await startRawServer((socket, head) => {
    const fail = pathOf(head).startsWith('/fail')
    socket.end(
      fail
        ? 'HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'
        : 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}',
    )
  })
  root = mkdtempSync(join(tmpdir(), 'fd-attack-next-request-'))
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

const page = `name: page
method: GET
url: '{{base}}/items'
scripts:
  test: |
    var n = Number(pm.collectionVariables.get("n") || 0) + 1
    pm.collectionVariables.set("n", String(n))
    pm.test("page ok", function () { pm.response.to.have.status(200) })
`
const more = `name: more
method: GET
url: '{{base}}/more'
scripts:
  test: |
    if (Number(pm.collectionVariables.get("n")) < 3) postman.setNextRequest("page")
`
const done = (path: string): string => `name: done
method: GET
url: '{{base}}${path}'
assertions:
  - kind: status
    equals: 200
`

describe('flightdeck run with setNextRequest', () => {
  it('a pagination loop whose checks all pass exits 0 and says scripts chose the order', async () => {
    const dir = collection('loop', {
      'collection.yaml': header(['page', 'more', 'done']),
      'page.yaml': page,
      'more.yaml': more,
      'done.yaml': done('/done'),
    })
    const r = await flightdeck(['run', dir])
    expect(r.stdout).toContain('7 passed, 0 failed')
    expect(r.stdout).toContain('setNextRequest chose the order: 7 step runs where 3 were planned')
    expect(r.code).toBe(0)
  })

  it('setNextRequest(null) ending the iteration exits 0 when what ran passed', async () => {
    const dir = collection('stop', {
      'collection.yaml': header(['page', 'done', 'last']),
      'page.yaml': page.replace('pm.test(', 'postman.setNextRequest(null)\n    pm.test('),
      'done.yaml': done('/done'),
      'last.yaml': done('/fail'),
    })
    const r = await flightdeck(['run', dir])
    expect(r.stdout).toContain('1 passed, 0 failed, 2 not run')
    expect(r.stdout).toContain('setNextRequest chose the order: 1 step run where 3 were planned')
    expect(r.code).toBe(0)
  })

  it('a loop with a failed check still exits 1', async () => {
    const dir = collection('loop-fail', {
      'collection.yaml': header(['page', 'more', 'done']),
      'page.yaml': page,
      'more.yaml': more,
      'done.yaml': done('/fail'),
    })
    const r = await flightdeck(['run', dir])
    expect(r.stdout).toContain('6 passed, 1 failed')
    expect(r.code).toBe(1)
  })
})
