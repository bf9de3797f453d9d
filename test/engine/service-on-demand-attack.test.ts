import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineParts, type PartModuleLoaders } from '../../src/engine/engine-parts'
import { serviceOver } from '../../src/engine/service-commands'
import { createOnDemandService } from '../../src/engine/service-on-demand'
import { createEngineService } from '../../src/engine/service'
import type { CommandService, EngineServiceOptions } from '../../src/engine/service-types'
import type { HostEvent } from '../../src/shared/contract'

/**
 * The on-demand engine (flightdeck send's) as an unlucky caller drives it: two first commands of a domain at once,
 * a part whose import fails, and listeners registered before a part exists. A real HTTP server on 127.0.0.1 that
 * holds its event streams open and counts the connections still open.
 */

let server: Server
let base: string
const open = new Set<Socket>()
let dir: string
let dir2: string
let configDir: string

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hold') {
      // An event stream that never ends: it closes only when the client closes it.
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: hello\n\n')
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok')
  })
  server.on('connection', (s: Socket) => {
    open.add(s)
    s.on('close', () => open.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  configDir = mkdtempSync(join(tmpdir(), 'fd-od-attack-config-'))
  for (const name of ['one', 'two']) {
    const d = mkdtempSync(join(tmpdir(), `fd-od-attack-${name}-`))
    writeFileSync(join(d, 'collection.yaml'), `flightdeck: 1\nname: ${name}\n`)
    mkdirSync(join(d, 'api'))
    writeFileSync(join(d, 'api', 'hit.yaml'), `name: Hit\nmethod: GET\nurl: ${base}/ok\n`)
    if (name === 'one') dir = d
    else dir2 = d
  }
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  for (const d of [dir, dir2, configDir]) rmSync(d, { recursive: true, force: true })
})

const OPTIONS: EngineServiceOptions = { host: 'test', flushEveryMs: 5, persistWorkspace: false }

const REAL: PartModuleLoaders = {
  streams: () => import('../../src/engine/streams/stream-engine'),
  collections: () => import('../../src/engine/collections/manager'),
  collectionHandlers: () => import('../../src/engine/collections/handlers'),
  secrets: () => import('../../src/engine/secrets/secret-store'),
  jobs: () => import('../../src/engine/jobs/async-handlers'),
  runs: () => import('../../src/engine/runner/run-manager'),
  auth: () => import('../../src/engine/auth/engine-auth'),
  webhooks: () => import('../../src/engine/webhooks/webhook-inbox'),
}

function sseOpen(s: CommandService, path: string): ReturnType<CommandService['call']> {
  return s.call('sse.open', {
    request: { method: 'GET', url: `${base}${path}`, headers: [], body: { kind: 'none' }, options: {} },
    stream: { reconnect: false },
  })
}

async function until(test: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (test()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${what}: not within 3 s`)
}

describe('the on-demand engine, attacked', () => {
  it('two first commands of a domain at once build one part: both collections in one list, one stream engine', async () => {
    let managers = 0
    let engines = 0
    const counting: PartModuleLoaders = {
      ...REAL,
      collections: async () => {
        const m = await import('../../src/engine/collections/manager')
        class Counted extends m.CollectionManager {
          constructor(...args: ConstructorParameters<typeof m.CollectionManager>) {
            super(...args)
            managers++
          }
        }
        return { ...m, CollectionManager: Counted }
      },
      streams: async () => {
        const m = await import('../../src/engine/streams/stream-engine')
        class Counted extends m.StreamEngine {
          constructor(...args: ConstructorParameters<typeof m.StreamEngine>) {
            super(...args)
            engines++
          }
        }
        return { ...m, StreamEngine: Counted }
      },
    }
    const s = serviceOver(createEngineParts({ ...OPTIONS, configDir }, counting), OPTIONS)
    try {
      const [a, b, c, d] = await Promise.all([
        s.call('collection.open', { dir }),
        s.call('collection.open', { dir: dir2 }),
        sseOpen(s, '/ok'),
        sseOpen(s, '/ok'),
      ])
      for (const r of [a, b, c, d]) expect(r.ok, JSON.stringify(r)).toBe(true)
      const list = await s.call('collection.list', {})
      expect(list.ok && (list.value as { open: { dir: string }[] }).open.map((x) => x.dir).sort()).toEqual(
        [dir, dir2].sort(),
      )
      expect([managers, engines]).toEqual([1, 1])
    } finally {
      await s.dispose()
    }
  })

  it('a part whose import fails answers that command with the reason, nothing hangs, and the next call builds it', async () => {
    let failures = 1
    const flaky: PartModuleLoaders = {
      ...REAL,
      streams: () =>
        failures-- > 0
          ? Promise.reject(new Error('Cannot find module stream-engine'))
          : import('../../src/engine/streams/stream-engine'),
    }
    const s = serviceOver(createEngineParts({ ...OPTIONS, configDir }, flaky), OPTIONS)
    try {
      const first = await sseOpen(s, '/ok')
      expect(first).toMatchObject({
        ok: false,
        error: { code: 'internal', detail: expect.stringContaining('Cannot find module stream-engine') },
      })
      // The runner needs the stream engine too: it fails as loudly while that import fails.
      failures = 1
      const run = await s.call('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
      expect(run).toMatchObject({ ok: false, error: { code: 'internal' } })
      const again = await sseOpen(s, '/ok')
      expect(again.ok, JSON.stringify(again)).toBe(true)
      const retried = await s.call('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
      expect(retried.ok, JSON.stringify(retried)).toBe(true)
      const report = await s.waitForRun((retried.ok && (retried.value as { runId: string }).runId) || '')
      expect(report?.stats.passed).toBe(1)
    } finally {
      await s.dispose()
    }
  })

  it('listeners registered before a part is built hear its events (collection changes, run progress)', async () => {
    const s = createOnDemandService({ ...OPTIONS, configDir, watchCollections: true })
    const heard: HostEvent['name'][] = []
    s.onEvent((e) => heard.push(e.name))
    try {
      expect((await s.call('collection.open', { dir })).ok).toBe(true)
      writeFileSync(join(dir, 'api', 'new.yaml'), `name: New\nmethod: GET\nurl: ${base}/ok\n`)
      await until(() => heard.includes('collection.changed'), 'collection.changed')
      const run = await s.call('run.start', { dir, path: 'api/hit.yaml', concurrency: 1, iterations: 1 })
      expect(run.ok, JSON.stringify(run)).toBe(true)
      await until(() => heard.includes('run.progress'), 'run.progress')
    } finally {
      await s.dispose()
      rmSync(join(dir, 'api', 'new.yaml'), { force: true })
    }
  })

  it.each(['on demand', 'built at start'])(
    'a stream opened while the engine (%s) stops is closed with it, not left holding its connection',
    async (how) => {
      const s =
        how === 'on demand'
          ? createOnDemandService({ ...OPTIONS, configDir })
          : createEngineService({ ...OPTIONS, configDir })
      // The first SSE command imports its handlers and then the stream engine: it lands while dispose runs.
      const stopping = s.dispose()
      const late = sseOpen(s, '/hold')
      await stopping
      const r = await late
      await new Promise((res) => setTimeout(res, 300))
      // Either refused, or opened and closed by the stop: no connection left open either way.
      expect({ answer: r.ok ? 'opened' : 'refused', open: open.size }).toMatchObject({ open: 0 })
    },
  )
})
