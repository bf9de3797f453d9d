import type { EngineService } from '../../src/engine/service'
import type { StreamOutcome } from '../../src/engine/streams/stream-engine'
import type { StreamEntry } from '../../src/shared/streams'
import type { TimelineEvent } from '../../src/shared/timeline'

/** Everything a service emits, kept for assertions; `of(sid)` is one session's events in order. */
export interface Recorder {
  events: TimelineEvent[]
  of(sid: string): TimelineEvent[]
  /** Resolves once `sid` has emitted at least `n` events matching `pred` (or rejects after `ms`). */
  until(sid: string, pred: (e: TimelineEvent) => boolean, n?: number, ms?: number): Promise<TimelineEvent[]>
  stop(): void
}

export function record(service: EngineService): Recorder {
  const events: TimelineEvent[] = []
  const waits = new Set<() => void>()
  const off = service.subscribe((batch) => {
    events.push(...batch.events)
    for (const w of [...waits]) w()
  })
  const of = (sid: string): TimelineEvent[] => events.filter((e) => e.sid === sid)
  return {
    events,
    of,
    until: (sid, pred, n = 1, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hits = of(sid).filter(pred)
          // A message event may stand for several messages (`count`).
          const seen = hits.reduce(
            (k, e) => k + (e.type === 'sse-event' || e.type === 'ws-message' ? (e.count ?? 1) : 1),
            0,
          )
          if (seen < n) return false
          waits.delete(check)
          clearTimeout(timer)
          resolve(hits)
          return true
        }
        const timer = setTimeout(() => {
          waits.delete(check)
          reject(
            new Error(
              `timed out waiting for ${n} events on ${sid}; saw ${of(sid)
                .map((e) => e.type)
                .join(',')}`,
            ),
          )
        }, ms)
        waits.add(check)
        check()
      }),
    stop: off,
  }
}

/** Wait for the session to end and flush, so the recorder has every event. */
export async function settle(service: EngineService, sid: string): Promise<StreamOutcome> {
  const outcome = await service.streams.wait(sid)
  service.flush()
  return outcome
}

export async function readLog(
  service: EngineService,
  sid: string,
  from = 0,
  count = 2000,
): Promise<StreamEntry[]> {
  const r = await service.invoke('stream.read', { sid, from, count })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.entries
}

/** Messages on a lane: a timeline event may stand for `count` of them. */
export function messageCount(
  events: TimelineEvent[],
  pred: (e: TimelineEvent) => boolean = () => true,
): number {
  let n = 0
  for (const e of events)
    if ((e.type === 'sse-event' || e.type === 'ws-message') && pred(e)) n += e.count ?? 1
  return n
}

export function typesOf(events: TimelineEvent[]): string[] {
  return events.map((e) => e.type)
}
