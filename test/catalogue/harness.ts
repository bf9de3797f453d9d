import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { expect } from 'vitest'
import type { ExchangeResult } from '../../src/engine/http/http-engine'
import type { EngineService, EngineServiceOptions } from '../../src/engine/service'
import type { StreamOutcome } from '../../src/engine/streams/stream-engine'
import type { TimelineEvent } from '../../src/shared/timeline'
import { bodyText, done, makeService, spec } from '../engine/helpers'
import { record, type Recorder } from '../engine/stream-helpers'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'

/**
 * The fault catalogue's shared harness. Every case runs its fault through `underFault`, which checks the three
 * things a user would notice besides the fault's own message:
 *  - the engine stays responsive: `app.info` is asked right after the fault starts and then every few ms while
 *    it is in progress, and must answer each time;
 *  - other sessions carry on: a healthy HTTP request (a body that arrives over ~100 ms) and, when asked, an SSE
 *    stream (4 events 25 ms apart) are started alongside and must finish with exactly their expected content;
 *  - (file cases) the collection folder's bytes are compared before and after with `hashTree`.
 */

export interface Catalogue {
  service: EngineService
  /** The healthy companion server (test/fixtures/servers.ts routes). */
  http: Fixture
  sse: SseFixture
  rec: Recorder
  /** A temp folder removed at close: config dir, collections. */
  tmp: string
  close(): Promise<void>
}

export async function openCatalogue(options: Partial<EngineServiceOptions> = {}): Promise<Catalogue> {
  const tmp = mkdtempSync(join(tmpdir(), 'flightdeck-catalogue-'))
  const [http, sse] = await Promise.all([startHttpServer(), startSseServer()])
  const service = makeService({
    configDir: join(tmp, 'config'),
    persistWorkspace: false,
    watchCollections: false,
    ...options,
  })
  const rec = record(service)
  return {
    service,
    http,
    sse,
    rec,
    tmp,
    close: async () => {
      rec.stop()
      await service.dispose()
      await Promise.all([http.close(), sse.close()])
      rmSync(tmp, { recursive: true, force: true })
    },
  }
}

export interface FaultOptions {
  /** Also hold an SSE stream open alongside (default true). */
  sse?: boolean
  /** Sample process memory while the fault runs; the peak growth is returned in `memoryGrowthBytes`. */
  sampleMemory?: boolean
}

export interface FaultRun<T> {
  value: T
  /** `app.info` answers received while the fault was still in progress. */
  probesDuringFault: number
  /** Peak (heapUsed + arrayBuffers) above the level when the fault started, when sampled. */
  memoryGrowthBytes: number
}

const PROBE_EVERY_MS = 20
/** Bounds the probe loop whatever the fault does (a fault is also bounded by vitest's test timeout). */
const MAX_PROBES = 5000
const COMPANION_PATH = '/slow?ms=100&chunks=5'
const COMPANION_BODY = Array.from({ length: 5 }, (_, i) => `chunk ${i + 1}/5\n`).join('')
const SSE_EVENTS = 4

// own-process for files using: sampleMemory (only their cases read the process's memory; own-process-files.ts)
function memoryNow(): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/**
 * Run `fault` with companions alongside and the engine probed throughout; assert the companions finished
 * normally and the engine answered while the fault was in progress. Returns what the fault resolved with.
 */
export async function underFault<T>(
  cat: Catalogue,
  fault: () => Promise<T>,
  options: FaultOptions = {},
): Promise<FaultRun<T>> {
  const { service } = cat
  const companion = service.invoke('http.send', { request: spec(`${cat.http.url}${COMPANION_PATH}`) })
  const sseSid =
    options.sse === false
      ? null
      : await service.invoke('sse.open', {
          request: spec(`${cat.sse.url}/events?n=${SSE_EVENTS}&every=25&close=1`),
          stream: { reconnect: false },
        })

  const baseline = memoryNow()
  let peak = baseline
  let settled = false
  const running = fault().finally(() => {
    settled = true
  })
  // Probe at once (the fault has started but cannot have finished: we have not yielded to it), then on a timer.
  let probesDuringFault = 0
  const probe = async (): Promise<void> => {
    const info = await service.invoke('app.info', {})
    expect(info.ok, 'app.info answers while the fault is in progress').toBe(true)
    if (!settled) probesDuringFault++
  }
  const probing = (async () => {
    for (let i = 0; i < MAX_PROBES && !settled; i++) {
      await probe()
      if (options.sampleMemory) peak = Math.max(peak, memoryNow())
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS))
    }
  })()
  const value = await running
  await probing
  // One more answer after the fault, for the faults that end before the first timer tick.
  await probe()

  // The companions finish with exactly what their servers sent.
  const sent = await companion
  if (!sent.ok) throw new Error(`companion refused: ${sent.error.message}`)
  const result = await service.http.waitFor(sent.value.sids[0] as string)
  expect(await bodyText(service, done(result)), 'a healthy request alongside completes').toBe(COMPANION_BODY)
  if (sseSid) {
    if (!sseSid.ok) throw new Error(`companion stream refused: ${sseSid.error.message}`)
    const outcome: StreamOutcome = await service.streams.wait(sseSid.value.sid)
    service.flush()
    const events = cat.rec.of(sseSid.value.sid).filter((e) => e.type === 'sse-event')
    const count = events.reduce((n, e) => n + (e.type === 'sse-event' ? (e.count ?? 1) : 0), 0)
    expect(count, 'a healthy SSE stream alongside delivers every event').toBe(SSE_EVENTS)
    expect(outcome.final.type, 'the healthy SSE stream ends normally').toBe('done')
  }
  return { value, probesDuringFault, memoryGrowthBytes: peak - baseline }
}

/** The terminal error event on the timeline, asserting its code and message. */
export function expectError(
  result: ExchangeResult | StreamOutcome,
  code: string,
  message: RegExp,
): Extract<TimelineEvent, { type: 'error' }> {
  const f = result.final
  if (f.type !== 'error') {
    throw new Error(
      `expected error ${code}, got ${f.type}${f.type === 'done' ? ` (status ${f.status})` : ''}`,
    )
  }
  expect({ code: f.code, message: f.message }, `detail: ${f.detail ?? '-'}`).toEqual({
    code,
    message: expect.stringMatching(message),
  })
  return f
}

/** Every file under `dir` (recursively) and the sha256 of its bytes, keyed by relative path. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string, depth: number): void => {
    if (depth > 32) return
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const st = statSync(p)
      if (st.isDirectory()) walk(p, depth + 1)
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex')
    }
  }
  walk(dir, 0)
  return out
}

export { bodyText, done, spec }
