import type { CommandName, FlightdeckApi, HostEvent } from './contract'
import type { Result } from './result'

/**
 * `window.api` is built here, once, for every host: the Electron preload gives it an IPC transport, the browser
 * host's bridge a WebSocket one. A host decides only how a command travels and how events arrive; what the page
 * sees (errors as data, one event path, a faulty listener that cannot starve the others) is the same everywhere.
 *
 * Type-only imports on purpose: the preload and the bridge are small bundles that must not carry the contract's
 * schema library. Hosts validate every command anyway.
 */

/** How one host carries commands to the engine and events back. */
export interface ApiTransport {
  /** Carry one command; rejects only when the transport itself broke (the engine answers errors as data). */
  call(name: CommandName, payload: unknown): Promise<Result<unknown>>
  /** Start delivering everything the host pushes on its event path; called once, when the API is built. */
  listen(deliver: (message: unknown) => void): void
}

function isHostEvent(message: unknown): message is HostEvent {
  if (typeof message !== 'object' || message === null) return false
  const m = message as { name?: unknown }
  return typeof m.name === 'string' && 'payload' in message
}

export function buildWindowApi(transport: ApiTransport): FlightdeckApi {
  const listeners = new Set<(event: HostEvent) => void>()
  transport.listen((message) => {
    if (!isHostEvent(message)) return
    for (const listener of listeners) {
      try {
        listener(message)
      } catch (e) {
        // One faulty listener must not starve the others of the event.
        console.error('[flightdeck] event listener failed', e)
      }
    }
  })
  const api: FlightdeckApi = {
    invoke: (name, payload) =>
      transport.call(name, payload).catch((e: unknown) => ({
        ok: false as const,
        error: {
          code: 'internal' as const,
          message: `The host did not answer ${name}`,
          detail: e instanceof Error ? e.message : String(e),
        },
      })) as ReturnType<FlightdeckApi['invoke']>,
    onEvent: (listener) => {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
  return Object.freeze(api)
}
