import type { StreamOrigins } from '../streams/stream-origins'
import type { RequestTab } from '../tabs/request-tab'

/**
 * The open tab an MQTT or Socket.IO session came from, so its Publish / Emit box lists that request's saved
 * items whichever tab is shown. The tab it was opened from while it still holds a request of the session's kind;
 * else a tab showing the same saved file; else undefined (closed, or turned into another kind of request).
 */
export function selectSessionTab(
  s: { tabs: readonly RequestTab[]; streamOrigins: StreamOrigins },
  sid: string,
  kind: 'mqtt' | 'socketio',
): RequestTab | undefined {
  const origin = s.streamOrigins[sid]
  if (!origin) return undefined
  const own = origin.tabId === undefined ? undefined : s.tabs.find((t) => t.id === origin.tabId)
  if (own?.draft.kind === kind) return own
  if (origin.path === null) return undefined
  return s.tabs.find((t) => t.dir === origin.dir && t.path === origin.path && t.draft.kind === kind)
}

/** Why a session has no tab to list saved items from (`selectSessionTab` found none), for the box to say. */
export function noSessionTabText(
  s: { tabs: readonly RequestTab[]; streamOrigins: StreamOrigins },
  sid: string,
  kind: 'mqtt' | 'socketio',
  items: string,
): string {
  const origin = s.streamOrigins[sid]
  if (origin?.path) return `${origin.path} is not open in a tab: open it to list its ${items}`
  const own = origin?.tabId === undefined ? undefined : s.tabs.find((t) => t.id === origin.tabId)
  if (own)
    return `The tab this session was opened from is no longer ${kind === 'mqtt' ? 'an MQTT' : 'a Socket.IO'} request: its ${items} are not listed`
  return `The tab this session was opened from is closed: its ${items} are not listed`
}
