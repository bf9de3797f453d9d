import type {
  CommandName,
  CommandRequest,
  CommandResponse,
  EventName,
  EventPayloads,
  FlightdeckApi,
  HostEvent,
} from '../../shared/contract'
import type { Result } from '../../shared/result'

/**
 * The renderer's one door to the host. Everything that talks to the engine goes through an `ApiClient`, so
 * the store can be driven by a fake in tests and nothing else in the renderer touches `window.api`.
 */
export interface ApiClient {
  invoke<K extends CommandName>(name: K, payload: CommandRequest<K>): Promise<Result<CommandResponse<K>>>
  on<E extends EventName>(name: E, listener: (payload: EventPayloads[E]) => void): () => void
}

/**
 * Wrap the host's API. A call that rejects (a transport that broke, a host bug) is turned into a Result, so
 * callers handle one error shape: errors cross every boundary as data. The client subscribes to the host's one
 * event path once, here, and routes each event to the listeners of its name.
 */
export function createApiClient(api: FlightdeckApi): ApiClient {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  api.onEvent((event: HostEvent) => {
    for (const listener of listeners.get(event.name) ?? []) listener(event.payload)
  })
  return {
    async invoke(name, payload) {
      try {
        return await api.invoke(name, payload)
      } catch (e) {
        const detail = e instanceof Error ? e.message : String(e)
        return { ok: false, error: { code: 'internal', message: `The host did not answer ${name}`, detail } }
      }
    },
    on(name, listener) {
      let set = listeners.get(name)
      if (!set) listeners.set(name, (set = new Set()))
      const l = listener as (payload: unknown) => void
      set.add(l)
      return () => {
        set.delete(l)
      }
    },
  }
}

/** The host's `window.api`, or null when the page was opened without a host (then the UI says so). */
export function hostApi(): FlightdeckApi | null {
  const api = (globalThis as { api?: FlightdeckApi }).api
  return api && typeof api.invoke === 'function' && typeof api.onEvent === 'function' ? api : null
}

/** A client for a page opened with no host: every command fails plainly, no events ever arrive. */
export function disconnectedClient(): ApiClient {
  return {
    async invoke() {
      return {
        ok: false,
        error: {
          code: 'internal',
          message: 'No Flightdeck host is connected to this window (window.api is missing).',
        },
      }
    },
    on() {
      return () => {}
    },
  }
}
