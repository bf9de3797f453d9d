import type { EngineSettings } from '../../shared/contract'
import type { RequestBody } from '../../shared/request'
import type { TimelineEvent } from '../../shared/timeline'
import type { Clock } from '../clock'

export interface HttpEngineOptions {
  clock: Clock
  emit: (e: TimelineEvent) => void
  settings?: Partial<EngineSettings>
  tempDir?: string
  memoryBodyLimit?: number
  /** Told the body each hop is sent with (it is in no event): HAR export keeps it. */
  onHopBody?: (sid: string, body: RequestBody) => void
  /** Interim (1xx) responses after which a hop stops waiting for its final one (tests set a few). */
  informationalLimit?: number
  /**
   * Nobody watches the HTTP timeline or keeps records (a `flightdeck run` without a HAR report): `emit` needs only
   * each hop's end (done, error, cancelled, redirect) and the request-sent of traced requests, so a `lean` send's
   * requests make no other per-request events.
   */
  unwatched?: boolean
}

export const DEFAULT_SETTINGS: EngineSettings = { globalConcurrency: 256, perOriginConcurrency: 64 }
