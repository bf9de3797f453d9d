import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onFirstCall } from '../../src/engine/command-groups'
import { createOnDemandService } from '../../src/engine/service-on-demand'
import type { CommandService } from '../../src/engine/service-types'
import { ok } from '../../src/shared/result'
import type { TimelineEvent } from '../../src/shared/timeline'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'

/**
 * The engine `flightdeck send` runs on: its collections, stream engine, jobs and runner, and every domain's
 * handlers, are imported the first time a command needs them. Each domain still answers its commands, refusals
 * are the same as before anything was loaded, and the hooks about parts not yet built answer as those parts do
 * for a session or run they do not know. Real servers on 127.0.0.1.
 */

let runner: RunnerServer
let sse: SseFixture
let ws: WsFixture
let graphql: GraphqlFixture
let dir: string
let configDir: string

beforeAll(async () => {
  ;[runner, sse, ws, graphql] = await Promise.all([
    startRunnerServer(),
    startSseServer(),
    startWsServer(),
    startGraphqlServer(),
  ])
  sse.route('/two', (_r, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end('data: one\n\ndata: two\n\n')
  })
  dir = mkdtempSync(join(tmpdir(), 'fd-on-demand-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-on-demand-config-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: On demand\nvariables:\n  base: ${runner.url}\n`,
  )
  mkdirSync(join(dir, 'api'))
  writeFileSync(
    join(dir, 'api', 'hit.yaml'),
    'name: Hit\nmethod: GET\nurl: "{{base}}/status/200"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
})

afterAll(async () => {
  await Promise.all([runner.close(), sse.close(), ws.close(), graphql.close()])
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

function service(): CommandService {
  return createOnDemandService({ host: 'test', flushEveryMs: 5, configDir, persistWorkspace: false })
}

function events(s: CommandService): TimelineEvent[] {
  const seen: TimelineEvent[] = []
  s.subscribe((batch) => seen.push(...batch.events))
  return seen
}

async function until(seen: TimelineEvent[], test: (e: TimelineEvent) => boolean): Promise<TimelineEvent> {
  for (let i = 0; i < 400; i++) {
    const found = seen.find(test)
    if (found) return found
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('event not seen within 4 s')
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value
}

describe('the on-demand engine (flightdeck send)', () => {
  it('sends a plain request, and refuses bad input as before, with no other part loaded', async () => {
    const s = service()
    try {
      const sent = value(
        await s.invoke('http.send', {
          request: {
            method: 'GET',
            url: `${runner.url}/status/200`,
            headers: [],
            body: { kind: 'none' },
            options: {},
          },
        }),
      )
      const exchange = await s.waitForExchange(sent.sids[0] ?? '')
      expect(exchange.final.type).toBe('done')
      // A group's payload is validated before its module loads, with the same words.
      const bad = await s.call('collection.open', { dir: 5 })
      expect(bad).toMatchObject({ ok: false, error: { code: 'bad_payload' } })
      expect(bad.ok ? '' : bad.error.message).toMatch(/^Invalid collection\.open payload at dir: /)
      expect(await s.call('collection.nope', {})).toEqual({
        ok: false,
        error: { code: 'unknown_command', message: 'Unknown command: collection.nope' },
      })
      // Parts never built know no session or run: as the built parts answer for one they do not know.
      expect(value(await s.invoke('session.cancel', { sid: 'e99' }))).toEqual({ cancelled: false })
      expect(s.streamLog('e99')).toBeUndefined()
      expect(s.waitForRun('r99')).toBeNull()
      expect(s.runSteps('r99')).toEqual([])
      expect(s.runSnapshot('r99')).toEqual({ ok: false, error: { code: 'not_found', message: 'No run r99' } })
      await expect(s.waitForStream('e99')).rejects.toThrow('Unknown session e99')
    } finally {
      await s.dispose()
    }
  })

  it('loads each domain on its first command: collections, SSE, WebSocket, GraphQL, HAR, body views, drafts, runs, jobs', async () => {
    const s = service()
    const seen = events(s)
    try {
      // Collections and a saved request, with its variables.
      const opened = value(await s.invoke('collection.open', { dir }))
      expect(opened.problems).toEqual([])
      const saved = value(
        await s.invoke('request.send', {
          request: {
            method: 'GET',
            url: '{{base}}/status/200',
            headers: [],
            body: { kind: 'none' },
            options: {},
          },
          auth: { type: 'inherit' },
          context: { dir: opened.dir, path: 'api/hit.yaml' },
        }),
      )
      const exchange = await s.waitForExchange(saved.sids[0] ?? '')
      expect(exchange.final.type).toBe('done')

      // SSE: the stream engine is built by its first open.
      const sseSid = value(
        await s.invoke('sse.open', {
          request: { method: 'GET', url: `${sse.url}/two`, headers: [], body: { kind: 'none' }, options: {} },
          stream: { reconnect: false },
        }),
      ).sid
      await s.waitForStream(sseSid)
      expect(s.streamLog(sseSid)?.entry(1, 100)?.data).toBe('two')

      // WebSocket, and the stream commands bound to the same engine.
      const wsSid = value(
        await s.invoke('ws.open', { url: `${ws.url}/echo`, headers: [], protocols: [] }),
      ).sid
      await until(seen, (e) => e.sid === wsSid && e.type === 'stream-open')
      value(await s.invoke('ws.send', { sid: wsSid, kind: 'text', data: 'ping me' }))
      await until(seen, (e) => e.sid === wsSid && e.type === 'ws-message' && e.dir === 'in')
      value(await s.invoke('ws.close', { sid: wsSid }))
      expect((await s.waitForStream(wsSid)).final.type).toBe('done')
      // Out, its echo in, and the two close frames.
      expect(value(await s.invoke('stream.read', { sid: wsSid, from: 0, count: 10 })).entries).toHaveLength(4)

      // GraphQL over HTTP.
      const gql = value(
        await s.invoke('graphql.send', {
          url: graphql.url,
          query: '{ hello }',
          transport: 'http',
          headers: [],
        }),
      )
      expect(gql.operation.type).toBe('query')
      await s.waitForExchange(gql.sid)

      // The response viewer and HAR, on the first request's body.
      const body = exchange.events.find((e) => e.type === 'done')
      expect(body?.type).toBe('done')
      const bodyId = body?.type === 'done' ? body.body.id : ''
      const lines = value(await s.invoke('body.lines', { bodyId, view: 'raw', from: 0, count: 10 }))
      expect(lines.lines.join('')).toContain('"status":200')
      const har = value(await s.invoke('har.export', { sids: [saved.sids[0] ?? ''] }))
      expect(har.entries).toBe(1)

      // A draft pasted as curl.
      const draft = value(await s.invoke('draft.fromCurl', { text: `curl -X POST ${runner.url}/status/200` }))
      expect(draft.request.method).toBe('POST')

      // A run of the collection, through the runner and the hooks the CLI reads it with.
      const run = value(
        await s.invoke('run.start', { dir: opened.dir, path: '', concurrency: 1, iterations: 1 }),
      )
      const report = await s.waitForRun(run.runId)
      expect(report?.stats.passed).toBe(1)
      expect(value(s.runSnapshot(run.runId)).runId).toBe(run.runId)
      expect(s.runSteps(run.runId)).toHaveLength(1)

      // The webhook inbox (jobs).
      const hook = value(await s.invoke('webhook.start', {}))
      expect(hook.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/)
      expect(value(await s.invoke('webhook.stop', {}))).toEqual({ stopped: true })
    } finally {
      await s.dispose()
    }
  }, 30_000)

  it('stops cleanly while a part is still being built', async () => {
    const s = service()
    const listing = s.invoke('collection.list', {})
    await s.dispose()
    const r = await listing
    expect(r.ok).toBe(true)
  })
})

describe('a group of commands loaded on first call', () => {
  it('a load that fails answers that call with the failure and is tried again on the next', async () => {
    let loads = 0
    const group = onFirstCall(['settings.get'], async () => {
      loads++
      if (loads === 1) throw new Error('chunk missing')
      return { 'settings.get': async () => ok({ globalConcurrency: 1, perOriginConcurrency: 1 }) }
    })
    await expect(group['settings.get']({})).rejects.toThrow('chunk missing')
    expect(await group['settings.get']({})).toEqual(ok({ globalConcurrency: 1, perOriginConcurrency: 1 }))
    // Loaded once it worked: later calls do not load again.
    await group['settings.get']({})
    expect(loads).toBe(2)
  })
})
