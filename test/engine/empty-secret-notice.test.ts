import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RequestScripts } from '../../src/shared/collection'
import type { QueuedEvent, ScriptEvent, TimelineEvent } from '../../src/shared/timeline'
import type { EngineService } from '../../src/engine/service'
import { headerOf, pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { isolatedService } from './helpers'

/**
 * The app sends a request that uses a secret with no value on this machine (a person is there to read why it
 * got a 401), and its `queued` event names the secret and where it is declared, so the details say so beside
 * the status: through another variable (`{{auth}}` = `Bearer {{token}}`) and through a pre-request script's
 * read. A request that uses no such secret, and a script that reads one empty and then sets it (a login), carry
 * no notice. A script's pm.sendRequest that fills in `{{token}}` goes out empty too: its row names it and the
 * script's console says so. What went out is checked at a real server.
 */

let server: RawServer
let root: string
let dir: string
let service: EngineService
let events: TimelineEvent[] = []

function auths(path: string): (string | null)[] {
  return server.heads.filter((h) => pathOf(h).startsWith(path)).map((h) => headerOf(h, 'authorization'))
}

/** The `phase` script event of `sid`, waited for (bounded: 10 s). */
async function scriptEvent(sid: string, phase: 'pre' | 'post'): Promise<ScriptEvent> {
  for (let i = 0; i < 400; i++) {
    const found = events.find(
      (e): e is ScriptEvent => e.type === 'script' && e.sid === sid && e.report.phase === phase,
    )
    if (found) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no ${phase} script event for ${sid}`)
}

/** Send from the app's `request.send` in the collection's `ci` environment; the first hop's `queued` event. */
async function sendFromApp(
  path: string,
  headers: [string, string][],
  scripts?: RequestScripts,
): Promise<QueuedEvent> {
  expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
  const sent = await service.invoke('request.send', {
    request: {
      method: 'GET',
      url: `{{base}}${path}`,
      headers: headers.map(([name, value]) => ({ name, value, enabled: true })),
      body: { kind: 'none' },
      options: {},
    },
    auth: { type: 'none' },
    context: { dir, path: 'a.yaml', env: 'ci' },
    ...(scripts ? { scripts } : {}),
  })
  if (!sent.ok) throw new Error(sent.error.message)
  const outcome = await service.waitForExchange(sent.value.sids[0] ?? '')
  const queued = outcome.events.find((e): e is QueuedEvent => e.type === 'queued')
  if (!queued) throw new Error('no queued event')
  return queued
}

beforeAll(async () => {
  server = await startRawServer((socket) =>
    socket.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n'),
  )
  root = mkdtempSync(join(tmpdir(), 'fd-empty-secret-notice-'))
  dir = join(root, 'api')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Nest\nid: nest\nvariables:\n  base: ${server.url}\n  auth: 'Bearer {{token}}'\n`,
  )
  writeFileSync(
    join(dir, 'environments', 'ci.yaml'),
    'name: ci\nvariables:\n  token:\n    secret: true\n  session:\n    secret: true\n  plain: here\n',
  )
  writeFileSync(join(dir, 'a.yaml'), "name: A\nmethod: GET\nurl: '{{base}}/a'\n")
})

beforeEach(() => {
  server.heads.length = 0
  service = isolatedService(root)
  events = []
  service.subscribe((b) => events.push(...b.events))
})

afterEach(async () => {
  await service.dispose()
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('the app sends an empty secret and says so', () => {
  it('a secret used through another variable: sent empty, named with where it is declared', async () => {
    const queued = await sendFromApp('/nested', [['Authorization', '{{auth}}']])
    expect(auths('/nested')).toEqual(['Bearer '])
    expect(queued.emptySecrets).toEqual([{ name: 'token', where: 'environment "ci"' }])
  })

  it('a secret read by the pre-request script: sent empty, named', async () => {
    const queued = await sendFromApp('/script', [], {
      preRequest:
        "pm.request.headers.add({ key: 'Authorization', value: 'Bearer ' + pm.environment.get('token') })",
    })
    expect(auths('/script')).toEqual(['Bearer '])
    expect(queued.emptySecrets).toEqual([{ name: 'token', where: 'environment "ci"' }])
  })

  it('one named in the request and another read by its script: both, each once', async () => {
    const queued = await sendFromApp('/both', [['Authorization', '{{auth}}']], {
      preRequest:
        "pm.environment.get('token'); pm.request.headers.add({ key: 'X-Session', value: pm.environment.get('session') })",
    })
    expect(queued.emptySecrets?.map((u) => u.name)).toEqual(['token', 'session'])
  })

  it('no notice for a request that uses no empty secret, nor for a script that sets what it read', async () => {
    const plain = await sendFromApp('/plain', [['X-Plain', '{{plain}}']])
    expect(plain.emptySecrets).toBeUndefined()
    const login = await sendFromApp('/login', [], {
      preRequest: [
        "if (!pm.environment.get('session')) pm.environment.set('session', 'from-login')",
        "pm.request.headers.add({ key: 'Authorization', value: 'Bearer ' + pm.environment.get('session') })",
      ].join('\n'),
    })
    expect(auths('/login')).toEqual(['Bearer from-login'])
    expect(login.emptySecrets).toBeUndefined()
  })

  it("a test script's pm.sendRequest with {{token}}: sent empty, its row names it, the console says so", async () => {
    const queued = await sendFromApp('/after', [], {
      test: "pm.sendRequest({ url: '{{base}}/side', header: { Authorization: 'Bearer {{token}}' } }, function () {})",
    })
    expect(queued.emptySecrets).toBeUndefined()
    const post = await scriptEvent(queued.sid, 'post')
    const child = post.report.sentRequests[0] ?? ''
    const side = events.find((e): e is QueuedEvent => e.type === 'queued' && e.sid === child)
    expect(side?.emptySecrets).toEqual([{ name: 'token', where: 'environment "ci"' }])
    expect(auths('/side')).toEqual(['Bearer '])
    expect(post.report.console.map((l) => `${l.level} ${l.text}`)).toEqual([
      `warn pm.sendRequest GET ${server.url}/side went out with empty secret {{token}} (environment "ci"): no value on this machine`,
    ])
    expect(post.report.failure).toBeUndefined()
  })
})
