import type { EnvMemory } from '../sidebar/collections-slice'

const KEY = 'flightdeck.envByDir'

/** The environment chosen per collection, remembered in this page's localStorage (a UI preference, not data). */
export function localEnvMemory(): EnvMemory | null {
  let storage: Storage
  try {
    storage = window.localStorage
  } catch {
    return null
  }
  return {
    load() {
      try {
        const data: unknown = JSON.parse(storage.getItem(KEY) ?? '{}')
        if (typeof data !== 'object' || data === null) return {}
        const out: Record<string, string> = {}
        for (const [k, v] of Object.entries(data)) if (typeof v === 'string') out[k] = v
        return out
      } catch {
        return {}
      }
    },
    save(value) {
      try {
        storage.setItem(KEY, JSON.stringify(value))
      } catch {
        // Storage full or denied: the choice just is not remembered.
      }
    },
  }
}
