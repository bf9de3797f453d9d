import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestSpec } from '../../src/shared/request'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'

/**
 * The timeline journal keeps every session's rows so a page that reloads can draw them again. A CLI draws no
 * timeline: a long `flightdeck run` kept 20,000 sessions' rows (and their events) alive for nothing, which every
 * collection of the young generation then copied. The CLI's engine keeps none; the app's hosts still do.
 */

let server: Fixture
const dirs: string[] = []

beforeAll(async () => {
  server = await startHttpServer()
})

afterAll(async () => {
  await server.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function spec(url: string): RequestSpec {
  return { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} }
}

async function replayedAfterTwoRequests(host: 'cli' | 'web'): Promise<{ sessions: number; sids: string[] }> {
  const configDir = mkdtempSync(join(tmpdir(), 'fd-journal-cli-'))
  dirs.push(configDir)
  const s: EngineService = createEngineService({
    host,
    configDir,
    watchCollections: false,
    persistWorkspace: false,
  })
  try {
    const sids: string[] = []
    for (const path of ['/json', '/status/404']) {
      const sent = await s.invoke('http.send', { request: spec(`${server.url}${path}`) })
      if (!sent.ok) throw new Error(sent.error.message)
      const sid = sent.value.sids[0] as string
      const outcome = await s.waitForExchange(sid)
      expect(outcome.final.type).toBe('done')
      sids.push(sid)
    }
    const page = await s.invoke('timeline.replay', {})
    if (!page.ok) throw new Error(page.error.message)
    return { sessions: page.value.sessions, sids: [...new Set(page.value.events.map((e) => e.sid))] }
  } finally {
    await s.dispose()
  }
}

describe('the timeline journal by host', () => {
  it('a CLI engine keeps no rows to replay', async () => {
    const cli = await replayedAfterTwoRequests('cli')
    expect(cli.sessions).toBe(0)
    expect(cli.sids).toEqual([])
  })

  it('the browser host still replays every session after a reload', async () => {
    const web = await replayedAfterTwoRequests('web')
    expect(web.sessions).toBe(2)
    expect(web.sids).toHaveLength(2)
  })
})
