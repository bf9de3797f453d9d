import type { RequestContext, SavedMessage as RequestMessage } from '../../shared/collection'

/** Where a stream session came from: the tab's saved request (if any) and the scope its variables used. */
export interface StreamOrigin {
  /** The collection and request file, or null for an ad-hoc request. */
  dir: string | null
  path: string | null
  /** The tab it was opened from: a send box lists that request's saved items, whichever tab is shown. */
  tabId?: string
  /** The scope the opening request resolved in; text messages sent on the session resolve in it too. */
  context?: RequestContext
  /** The request's saved messages as they were at open time (listed once its tab is closed). */
  messages: readonly RequestMessage[]
}

export type StreamOrigins = Readonly<Record<string, StreamOrigin>>

/** Origins remembered (the newest sessions'); older sessions fall back to per-URL messages. */
export const MAX_ORIGINS = 500

/** `origins` with `sid`'s added, the oldest dropped past `MAX_ORIGINS` (insertion order is opening order). */
export function rememberOrigin(origins: StreamOrigins, sid: string, origin: StreamOrigin): StreamOrigins {
  const entries = Object.entries(origins)
  const kept = entries.length >= MAX_ORIGINS ? entries.slice(entries.length - MAX_ORIGINS + 1) : entries
  return { ...Object.fromEntries(kept), [sid]: origin }
}
