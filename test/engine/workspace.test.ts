import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { emptySavedRequest } from '../../src/shared/collection'
import type { TimelineBatch } from '../../src/shared/contract'
import type { RequestSpec } from '../../src/shared/request'
import type { TimelineEvent } from '../../src/shared/timeline'
import type { Workspace } from '../../src/shared/workspace-schemas'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { TimelineJournal } from '../../src/engine/sessions/timeline-journal'
import { SessionRecords } from '../../src/engine/sessions/session-records'
import { keepLastSession } from '../../src/engine/workspace/last-session'
import { startHttpServer, type Fixture } from '../fixtures/servers'

const spec = (url: string): RequestSpec => ({
  method: 'GET',
  url,
  headers: [],
  body: { kind: 'none' },
  options: {},
})

function workspaceWith(url: string, bodyText: string): Workspace {
  return {
    version: 1,
    tabs: [
      {
        dir: null,
        path: null,
        request: { ...emptySavedRequest('Untitled'), url, body: { kind: 'json', text: bodyText } },
        savedHash: 'k',
      },
    ],
    activeTab: 0,
    activeDir: null,
    envByDir: { '/some/collection': 'staging' },
    sendCount: 7,
    notes: [],
  }
}

let server: Fixture
const services: EngineService[] = []
const dirs: string[] = []

function newConfigDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-workspace-'))
  dirs.push(dir)
  return dir
}

function start(configDir: string, host: 'web' | 'test' = 'web'): EngineService {
  const s = createEngineService({ host, configDir, watchCollections: false, flushEveryMs: 5 })
  services.push(s)
  return s
}

async function sendAndWait(s: EngineService, url: string): Promise<string> {
  const sent = await s.invoke('http.send', { request: spec(url) })
  if (!sent.ok) throw new Error(sent.error.message)
  const sid = sent.value.sids[0] as string
  for (let i = 0; i < 200; i++) {
    const page = await s.invoke('timeline.replay', {})
    if (page.ok && page.value.events.some((e) => e.sid === sid && e.type === 'done')) return sid
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('request did not finish')
}

beforeAll(async () => {
  server = await startHttpServer()
})
afterEach(async () => {
  for (const s of services.splice(0)) await s.dispose()
})
afterAll(async () => {
  await server.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('the workspace file', () => {
  it('a saved workspace (tabs with drafts, environment, Send ×N) is read back by a new engine', async () => {
    const dir = newConfigDir()
    const first = start(dir)
    const ws = workspaceWith(`${server.url}/json`, '{"draft":true}')
    const saved = await first.invoke('workspace.save', { workspace: ws })
    expect(saved.ok).toBe(true)
    await first.dispose()
    services.splice(0)
    // 0600: drafts may carry tokens typed into headers.
    expect(statSync(join(dir, 'workspace-tabs.json')).mode & 0o777).toBe(0o600)

    const second = start(dir)
    const got = await second.invoke('workspace.get', {})
    expect(got.ok && got.value.workspace).toEqual(ws)
  })

  it('a broken workspace file is reported with its path and left untouched', async () => {
    const dir = newConfigDir()
    writeFileSync(join(dir, 'workspace-tabs.json'), '{"version": 1, "tabs": [')
    const s = start(dir)
    const got = await s.invoke('workspace.get', {})
    if (!got.ok) throw new Error(got.error.message)
    expect(got.value.workspace).toBeNull()
    expect(got.value.problem).toContain(join(dir, 'workspace-tabs.json'))
    expect(readFileSync(join(dir, 'workspace-tabs.json'), 'utf8')).toBe('{"version": 1, "tabs": [')
  })

  it('a workspace past the size limit is refused with a clear error, and the last good one stays', async () => {
    const dir = newConfigDir()
    const s = start(dir)
    const good = workspaceWith('http://127.0.0.1:1/', 'small')
    expect((await s.invoke('workspace.save', { workspace: good })).ok).toBe(true)
    const big = workspaceWith('http://127.0.0.1:1/', 'x'.repeat(4 * 1024 * 1024))
    const many = { ...big, tabs: [0, 1, 2, 3, 4].map(() => big.tabs[0]!) }
    const res = await s.invoke('workspace.save', { workspace: many })
    expect(res.ok).toBe(false)
    if (!res.ok) expect(res.error.message).toMatch(/over the 16,777,216-byte limit/)
    const got = await s.invoke('workspace.get', {})
    expect(got.ok && got.value.workspace).toEqual(good)
  })
  it('a reload asking for the workspace while its last save is still being written gets that save', async () => {
    // A page's pagehide save and the reloaded page's get arrive back to back: the get must wait for the write.
    const s = start(newConfigDir())
    const ws = workspaceWith('http://127.0.0.1:1/last-typed', 'draft')
    const saving = s.invoke('workspace.save', { workspace: ws })
    const got = await s.invoke('workspace.get', {})
    expect(got.ok && got.value.workspace).toEqual(ws)
    expect((await saving).ok).toBe(true)
  })
})

describe('the timeline after a reload', () => {
  it('replays every session with its phases and final status, bodies still readable by id', async () => {
    const s = start(newConfigDir(), 'test')
    const ok = await sendAndWait(s, `${server.url}/json`)
    const missing = await sendAndWait(s, `${server.url}/status/404`)
    const page = await s.invoke('timeline.replay', {})
    if (!page.ok) throw new Error(page.error.message)
    expect(page.value.sessions).toBe(2)
    expect(page.value.next).toBeNull()
    const of = (sid: string): TimelineEvent[] => page.value.events.filter((e) => e.sid === sid)
    expect(of(ok).map((e) => e.type)).toEqual(
      expect.arrayContaining(['queued', 'connect', 'request-sent', 'response-headers', 'done']),
    )
    expect(of(ok)[0]?.type).toBe('queued')
    expect(of(ok).at(-1)?.type).toBe('done')
    const done = of(missing).find((e) => e.type === 'done')
    expect(done?.type === 'done' && done.status).toBe(404)
    const okDone = of(ok).find((e) => e.type === 'done')
    if (okDone?.type !== 'done') throw new Error('no done event')
    const body = await s.invoke('body.read', {
      bodyId: okDone.body.id,
      offset: 0,
      length: 100,
      encoding: 'utf8',
    })
    expect(body.ok && body.value.data).toContain('"items"')
  })

  it('pages through sessions in order and counts the ones past the bound', () => {
    const j = new TimelineJournal(5)
    for (let i = 0; i < 8; i++) {
      j.record({
        type: 'queued',
        sid: `s${i}`,
        t: i,
        kind: 'http',
        wall: 0,
        method: 'GET',
        url: 'http://127.0.0.1/',
        hop: 0,
      })
      j.record({ type: 'body-progress', sid: `s${i}`, t: i, wireBytes: 1, bodyBytes: 1 })
    }
    const first = j.page(0, 2)
    expect(first.events.filter((e) => e.type === 'queued').map((e) => e.sid)).toEqual(['s3', 's4'])
    expect(first.forgotten).toBe(3)
    const rest = j.page(first.next ?? -1, 10)
    expect(rest.events.filter((e) => e.type === 'queued').map((e) => e.sid)).toEqual(['s5', 's6', 's7'])
    expect(rest.next).toBeNull()
    expect(j.size).toBe(5)
  })

  it('cuts a page short when its sessions carry large headers, so one page stays a few MB', () => {
    const j = new TimelineJournal(100)
    const big: [string, string][] = [['x-big', 'v'.repeat(1024 * 1024)]]
    for (let i = 0; i < 20; i++) {
      const sid = `b${i}`
      j.record({ type: 'queued', sid, t: i, kind: 'http', wall: 0, method: 'GET', url: 'http://x/', hop: 0 })
      j.record({
        type: 'response-headers',
        sid,
        t: i,
        status: 200,
        statusText: 'OK',
        httpVersion: '1.1',
        headers: big,
        headersBytes: 1024 * 1024 + 10,
      })
    }
    const first = j.page(0, 2000)
    expect(first.sessions).toBeGreaterThan(0)
    expect(first.sessions).toBeLessThan(20)
    expect(JSON.stringify(first.events).length).toBeLessThan(10 * 1024 * 1024)
    let seen = first.sessions
    for (let next = first.next, pages = 0; next !== null && pages < 20; pages++) {
      const p = j.page(next, 2000)
      seen += p.sessions
      next = p.next
    }
    expect(seen).toBe(20)
  })

  it('does not replay sessions cleared from the timeline, whatever the clears in between', () => {
    const j = new TimelineJournal(1000)
    let n = 0
    for (let round = 0; round < 50; round++) {
      const sids: string[] = []
      for (let i = 0; i < 100; i++) {
        const sid = `s${n++}`
        sids.push(sid)
        j.record({
          type: 'queued',
          sid,
          t: n,
          kind: 'http',
          wall: 0,
          method: 'GET',
          url: 'http://x/',
          hop: 0,
        })
      }
      expect(j.forget(sids.slice(0, 99))).toBe(99)
    }
    // One kept per round; the last 50 sessions are those, nothing cleared comes back.
    const page = j.page(0, 2000)
    expect(page.sessions).toBe(50)
    expect(page.events.every((e) => Number(e.sid.slice(1)) % 100 === 99)).toBe(true)
    // A cursor from the middle still starts at the next live session.
    const mid = j.page(1000, 1)
    expect(mid.events[0]?.sid).toBe('s1099')
    expect(mid.next).toBe(1199)
  })
})

describe('the last session after a restart', () => {
  it('an engine that stops keeps its timeline as a HAR; the next one offers it and puts it back read-only', async () => {
    const dir = newConfigDir()
    const first = start(dir)
    await sendAndWait(first, `${server.url}/json`)
    await sendAndWait(first, `${server.url}/status/503`)
    await first.dispose()
    services.splice(0)

    const second = start(dir)
    const events: TimelineEvent[] = []
    second.subscribe((b: TimelineBatch) => events.push(...b.events))
    const got = await second.invoke('workspace.get', {})
    if (!got.ok) throw new Error(got.error.message)
    expect(got.value.lastSession).toMatchObject({ sessions: 2, omitted: 0 })

    const opened = await second.invoke('workspace.openLastSession', {})
    if (!opened.ok) throw new Error(opened.error.message)
    expect(opened.value.sids).toHaveLength(2)
    second.flush()
    const statuses = events.filter((e) => e.type === 'done').map((e) => (e.type === 'done' ? e.status : 0))
    expect(statuses.sort()).toEqual([200, 503])
    const urls = events.filter((e) => e.type === 'queued').map((e) => (e.type === 'queued' ? e.url : ''))
    expect(urls).toContain(`${server.url}/json`)
  })

  it('keeps at most the newest N sessions and fits the file under its cap, counting what it left out', async () => {
    const dir = newConfigDir()
    const s = start(dir, 'test')
    for (let i = 0; i < 4; i++) await sendAndWait(s, `${server.url}/json?n=${i}`)
    // The service's records are private: rebuild the same records from the replayed events.
    const records = new SessionRecords()
    const page = await s.invoke('timeline.replay', {})
    if (!page.ok) throw new Error(page.error.message)
    for (const e of page.value.events) records.record(e)

    const few = await keepLastSession(dir, records, s.http.bodies, [], {
      maxSessions: 3,
      bodyBytes: 1024,
      maxBytes: 1024 * 1024,
    })
    expect(few).toMatchObject({ sessions: 3, omitted: 1, bodyBytes: 1024 })
    const har = JSON.parse(readFileSync(join(dir, 'last-session.har'), 'utf8')) as {
      log: { entries: { request: { url: string }; response: { content: { text?: string } } }[] }
    }
    expect(har.log.entries.map((e) => e.request.url)).toEqual(
      [1, 2, 3].map((i) => `${server.url}/json?n=${i}`),
    )
    expect(har.log.entries[0]?.response.content.text).toContain('"items"')

    // A cap too small for bodies: they go first, then the oldest sessions, and the info says so.
    const tight = await keepLastSession(dir, records, s.http.bodies, [], {
      maxSessions: 4,
      bodyBytes: 1024,
      maxBytes: 2500,
    })
    expect(tight?.bodyBytes).toBe(0)
    expect(tight && tight.sessions < 4 && tight.sessions + tight.omitted === 4).toBe(true)
    expect(statSync(join(dir, 'last-session.har')).size).toBeLessThanOrEqual(2500)
  })

  it('with no timeline kept, opening it says so', async () => {
    const s = start(newConfigDir())
    const got = await s.invoke('workspace.get', {})
    expect(got.ok && got.value.lastSession).toBeNull()
    const opened = await s.invoke('workspace.openLastSession', {})
    expect(opened.ok).toBe(false)
    if (!opened.ok) expect(opened.error.message).toMatch(/No timeline was kept/)
  })
})
