import type { RequestTab } from '../tabs/request-tab'
import { selectActiveDraft } from '../tabs/active-draft'
import type { SessionRow } from '../timeline/session-row'
import type { StreamOrigins } from './stream-origins'

/** The kinds whose composer button connects a session and, while it lives, disconnects it (as Postman's). */
export type ConnectKind = 'ws' | 'mqtt' | 'socketio'

export function isConnectKind(kind: string): kind is ConnectKind {
  return kind === 'ws' || kind === 'mqtt' || kind === 'socketio'
}

interface TabSessionView {
  tabs: readonly RequestTab[]
  activeTabId: string
  streamOrigins: StreamOrigins
  timeline: { rows: Readonly<Record<string, SessionRow>> }
}

/**
 * The session the active tab opened, of the kind it holds now, while it has not ended (connecting, open or
 * reconnecting): what Disconnect closes. Null for any other kind, or when the tab's newest such session ended.
 * Origins are kept in opening order, so the newest is found first from the end.
 */
export function selectTabLiveSession(s: TabSessionView): string | null {
  const kind = selectActiveDraft(s).kind
  if (!isConnectKind(kind)) return null
  const sids = Object.keys(s.streamOrigins)
  for (let i = sids.length - 1; i >= 0; i--) {
    const sid = sids[i] as string
    if (s.streamOrigins[sid]?.tabId !== s.activeTabId) continue
    const row = s.timeline.rows[sid]
    if (!row || row.queued.kind !== kind) continue
    return row.end === null ? sid : null
  }
  return null
}
