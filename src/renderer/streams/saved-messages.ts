import type { WsSendKind } from './streams-slice'

/**
 * Saved WebSocket messages, per URL, remembered in the page's localStorage (when there is one: tests and a
 * sandboxed page may have none, and then they live for the session only). Bounded: 100 per URL, 50 URLs.
 */

export interface SavedMessage {
  id: string
  name: string
  kind: WsSendKind
  data: string
}

const KEY = 'flightdeck.ws.saved'
const MAX_URLS = 50
const KINDS = new Set<string>(['text', 'json', 'hex', 'base64', 'file'])

function storage(): Storage | null {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage ?? null
  } catch {
    return null
  }
}

export function loadSavedMessages(): Record<string, SavedMessage[]> {
  const raw = storage()?.getItem(KEY)
  if (!raw) return {}
  try {
    const parsed = JSON.parse(raw) as unknown
    if (!parsed || typeof parsed !== 'object') return {}
    const out: Record<string, SavedMessage[]> = {}
    for (const [url, list] of Object.entries(parsed as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue
      out[url] = list.filter(
        (m): m is SavedMessage =>
          !!m &&
          typeof m === 'object' &&
          typeof (m as SavedMessage).id === 'string' &&
          typeof (m as SavedMessage).name === 'string' &&
          typeof (m as SavedMessage).data === 'string' &&
          KINDS.has((m as SavedMessage).kind),
      )
    }
    return out
  } catch {
    return {}
  }
}

export function storeSavedMessages(all: Readonly<Record<string, readonly SavedMessage[]>>): void {
  const s = storage()
  if (!s) return
  const entries = Object.entries(all)
    .filter(([, list]) => list.length > 0)
    .slice(-MAX_URLS)
  try {
    s.setItem(KEY, JSON.stringify(Object.fromEntries(entries)))
  } catch {
    // Full or refused storage: saved messages still work for this session.
  }
}
