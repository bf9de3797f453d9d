import type { EngineService } from '../../src/engine/service'
import type { StreamEntry } from '../../src/shared/streams'
import { readLog } from './stream-helpers'

/**
 * Reads a session's message log again and again until `n` of its entries match `pred`, then returns the log.
 * Bounded: past `ms` it fails with the log as it stood, so a test that waits for a message says what came.
 */
export async function logUntil(
  service: EngineService,
  sid: string,
  pred: (e: StreamEntry) => boolean,
  n = 1,
  ms = 5000,
): Promise<StreamEntry[]> {
  const until = Date.now() + ms
  for (;;) {
    const log = await readLog(service, sid)
    if (log.filter(pred).length >= n) return log
    if (Date.now() > until)
      throw new Error(
        `timed out; log: ${log.map((e) => `${e.dir} ${e.kind} ${e.event}: ${e.data}`).join(' | ')}`,
      )
    await new Promise((r) => setTimeout(r, 20))
  }
}
