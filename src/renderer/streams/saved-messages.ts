import type { SavedMessage as CollectionMessage } from '../../shared/collection'
import type { WsSendKind } from './ws-send-slice'

/**
 * Saved WebSocket messages. A WebSocket request saved in a collection keeps them in its own YAML file
 * (`messages:`), edited through its tab like any other part of the request. An ad-hoc session (no saved request)
 * keeps them per URL in the page's localStorage (when there is one: tests and a sandboxed page may have none,
 * and then they live for the session only). Bounded: 100 per URL, 50 URLs.
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

// ---------------------------------------------------------------- messages kept with a collection request

/** A saved request holds at most this many messages (the collection schema's bound). */
export const MAX_REQUEST_MESSAGES = 1000

/**
 * A collection request's messages (`messages:` in its YAML: a name and the text) as the send box lists them.
 * The file keeps text only, so a message that parses as a JSON object or array is offered as JSON (checked
 * before it is sent) and anything else as text. Ids are positions: the list is rebuilt from the file.
 */
export function fromRequestMessages(list: readonly CollectionMessage[]): SavedMessage[] {
  return list.map((m, i) => ({
    id: `r${i}`,
    name: m.name,
    kind: looksJson(m.text) ? 'json' : 'text',
    data: m.text,
  }))
}

/** The position of a message listed by `fromRequestMessages`, or -1. */
export function requestMessageIndex(id: string): number {
  const m = /^r(\d+)$/.exec(id)
  return m ? Number(m[1]) : -1
}

function looksJson(text: string): boolean {
  const t = text.trim()
  if (!(t.startsWith('{') || t.startsWith('['))) return false
  try {
    JSON.parse(t)
    return true
  } catch {
    return false
  }
}
