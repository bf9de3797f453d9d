import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEngineService, type EngineService, type EngineServiceOptions } from '../../src/engine/service'
import type { ExchangeResult } from '../../src/engine/http/http-engine'
import type { CommandRequest } from '../../src/shared/contract'
import type { RequestOptions, RequestSpec } from '../../src/shared/request'
import type { DoneEvent, TimelineEvent } from '../../src/shared/timeline'

export function makeService(options: Partial<EngineServiceOptions> = {}): EngineService {
  return createEngineService({ host: 'test', flushEveryMs: 5, ...options })
}

/**
 * An engine with a config folder of its own under `root` (new for each call: no secret value, workspace or
 * cookie carried from one case to the next) that neither keeps a workspace nor watches collections.
 */
export function isolatedService(root: string): EngineService {
  return makeService({
    configDir: join(root, `config-${Math.random().toString(36).slice(2)}`),
    persistWorkspace: false,
    watchCollections: false,
  })
}

export function spec(
  url: string,
  extra: Partial<RequestSpec> = {},
  options: Partial<RequestOptions> = {},
): RequestSpec {
  return { method: 'GET', url, headers: [], body: { kind: 'none' }, options, ...extra }
}

/** Send through the service's validated command path and wait for the whole redirect chain. */
export async function send(service: EngineService, request: RequestSpec): Promise<ExchangeResult> {
  const r = await service.invoke('http.send', { request })
  if (!r.ok) throw new Error(`http.send refused: ${r.error.message}`)
  const sid = r.value.sids[0]
  if (!sid) throw new Error('no sid')
  return service.http.waitFor(sid)
}

export function done(result: ExchangeResult): DoneEvent {
  if (result.final.type !== 'done') {
    const f = result.final
    throw new Error(`expected done, got ${f.type}${f.type === 'error' ? `: ${f.code} ${f.message}` : ''}`)
  }
  return result.final
}

export function eventsOf<T extends TimelineEvent['type']>(
  result: ExchangeResult,
  type: T,
): Extract<TimelineEvent, { type: T }>[] {
  return result.events.filter((e): e is Extract<TimelineEvent, { type: T }> => e.type === type)
}

export async function bodyText(service: EngineService, d: DoneEvent): Promise<string> {
  const r = await service.invoke('body.read', {
    bodyId: d.body.id,
    offset: 0,
    length: 4 * 1024 * 1024,
    encoding: 'utf8',
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.data
}

export function writeTemp(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'flightdeck-test-'))
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Starts a run (`run.start` with `start`), waits for its end and says how many of its steps passed and failed. */
export async function runCounts(
  service: EngineService,
  start: CommandRequest<'run.start'>,
): Promise<{ passed: number; failed: number }> {
  const started = await service.invoke('run.start', start)
  if (!started.ok) throw new Error(started.error.message)
  await service.waitForRun(started.value.runId)
  const snap = service.runSnapshot(started.value.runId)
  if (!snap.ok) throw new Error(snap.error.message)
  return { passed: snap.value.passed, failed: snap.value.failed }
}
