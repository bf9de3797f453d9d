import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Copy as curl of a request whose file leaves default headers out (`omitDefaultHeaders`, as a Postman import's
 * disabledSystemHeaders gives it): the copied command, run by the real curl, sends the default headers Flightdeck's
 * own Send sends for that file, none of curl's own User-Agent or Accept in their place. Both arrive at one server.
 */

let server: Fixture
let engine: TestEngine
let dir: string

const DEFAULTS = ['user-agent', 'accept', 'accept-encoding'] as const

beforeAll(async () => {
  server = await startHttpServer()
  engine = startEngine()
  dir = mkdtempSync(join(tmpdir(), 'fd-copy-curl-defaults-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Imported\n')
  const file = (name: string, omit: string, more: string[] = []): void =>
    writeFileSync(
      join(dir, `${name}.yaml`),
      [
        `name: ${name}`,
        'method: GET',
        `url: '${server.url}/json?from=${name}'`,
        'options:',
        `  omitDefaultHeaders: [${omit}]`,
        ...more,
        '',
      ].join('\n'),
    )
  file('bare', 'user-agent, accept, accept-encoding')
  file('agentless', 'user-agent', ['  decompress: false'])
})

afterAll(async () => {
  await stopEngines()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

async function nextRequest(): Promise<Record<string, string | string[] | undefined>> {
  for (let i = 0; i < 300 && server.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  const [req] = server.requests.splice(0)
  if (!req) throw new Error('nothing arrived')
  return req.headers
}

/** The default headers that arrived (name and value), of those Flightdeck may add. */
function defaultsOf(headers: Record<string, string | string[] | undefined>): Record<string, unknown> {
  return Object.fromEntries(DEFAULTS.filter((n) => headers[n] !== undefined).map((n) => [n, headers[n]]))
}

/** What Send of the file sends, then what its Copy as curl command sends, run by curl (bounded: 10 s). */
async function sentBoth(
  name: string,
): Promise<{ send: Record<string, unknown>; curl: Record<string, unknown>; command: string }> {
  server.requests.length = 0
  const store = engine.store()
  await openCollection(store, dir)
  await store.getState().openRequest(dir, `${name}.yaml`)
  await store.getState().send()
  expect(store.getState().sendError).toBeNull()
  const send = defaultsOf(await nextRequest())
  const copied = await store.getState().snippetFor('curl')
  if ('error' in copied) throw new Error(copied.error)
  await new Promise<void>((resolve, reject) =>
    execFile('sh', ['-c', `${copied.text} --silent --output /dev/null`], { timeout: 10_000 }, (e) =>
      e ? reject(e) : resolve(),
    ),
  )
  return { send, curl: defaultsOf(await nextRequest()), command: copied.text }
}

describe('Copy as curl of a request that leaves default headers out', () => {
  it('sends no User-Agent, Accept or Accept-Encoding when the file leaves all three out', async () => {
    const { send, curl, command } = await sentBoth('bare')
    expect(send).toEqual({})
    expect(curl).toEqual(send)
    expect(command).toContain("--header 'User-Agent: '")
    // The Code dialog's curl of the file itself says the same.
    const fromFile = await engine.service.invoke('export.request', { dir, path: 'bare.yaml', target: 'curl' })
    expect(fromFile.ok && fromFile.value.text).toContain("--header 'Accept: ' \\\n  --header 'User-Agent: '")
  })

  it("sends Flightdeck's Accept but no User-Agent when the file leaves only the User-Agent out", async () => {
    const { send, curl } = await sentBoth('agentless')
    expect(send).toEqual({ accept: '*/*' })
    expect(curl).toEqual(send)
  })
})
