import type { TabExtras } from '../tabs/draft-convert'
import { savedAcks, savedEmits, savedPublishes } from './messaging-saved'

/**
 * Which composer tabs an MQTT or Socket.IO request shows: only those that mean something for it, as Postman's
 * Socket.IO request has Params, Headers, Settings and Events and no Body. MQTT: Connection, Auth (user name and
 * password), Tests, Saved. Socket.IO: Connection, Params (the handshake's query, from the URL), Headers (the
 * handshake's), Auth (the auth payload), Acks, Tests, Saved. HTTP's Body, Auth schemes, Options, Scripts and
 * After response have no meaning for either.
 */

/** The tabs these two modes have that HTTP does not (`auth` is theirs here: the protocol's credentials). */
export type MessagingTab = 'connection' | 'auth' | 'acks' | 'saved'

export type MessagingTabId = MessagingTab | 'params' | 'headers' | 'tests'

export const MESSAGING_OWN: ReadonlySet<string> = new Set<MessagingTab>([
  'connection',
  'auth',
  'acks',
  'saved',
])

export function isMessagingOwn(id: string): id is MessagingTab {
  return MESSAGING_OWN.has(id)
}

const ORDER: Record<'mqtt' | 'socketio', readonly MessagingTabId[]> = {
  mqtt: ['connection', 'auth', 'tests', 'saved'],
  socketio: ['connection', 'params', 'headers', 'auth', 'acks', 'tests', 'saved'],
}

const LABELS: Record<MessagingTab, string> = {
  connection: 'Connection',
  auth: 'Auth',
  acks: 'Acks',
  saved: 'Saved',
}

/**
 * The mode's tabs in order: its own with their labels and counts, and the shared ones (`params`, `headers`,
 * `tests`) taken from the composer's list so their labels and badges stay as they are.
 */
export function messagingTabs<T extends { id: string; label: string; badge?: string }>(
  mode: 'mqtt' | 'socketio',
  shared: readonly T[],
  extras: TabExtras | undefined,
): { id: MessagingTabId; label: string; badge?: string }[] {
  const saved = mode === 'mqtt' ? savedPublishes(extras).length : savedEmits(extras).length
  const acks = savedAcks(extras).length
  const out: { id: MessagingTabId; label: string; badge?: string }[] = []
  for (const id of ORDER[mode]) {
    if (!isMessagingOwn(id)) {
      const t = shared.find((x) => x.id === id)
      if (t) out.push({ id, label: t.label, ...(t.badge ? { badge: t.badge } : {}) })
      continue
    }
    const count = id === 'saved' ? saved : id === 'acks' ? acks : 0
    out.push({ id, label: LABELS[id], ...(count > 0 ? { badge: String(count) } : {}) })
  }
  return out
}
