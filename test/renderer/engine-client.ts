import type { EngineService } from '../../src/engine/service'
import type { ApiClient } from '../../src/renderer/client/api-client'
import type { EventName, EventPayloads } from '../../src/shared/contract'

/**
 * The renderer's client wired straight to a real engine service in this process (no transport): what the store
 * tests drive the UI's state with; every event comes from the service's one `onEvent` path.
 */
export function engineClient(service: EngineService): ApiClient {
  return {
    invoke: (name, payload) => service.invoke(name, payload),
    on: <E extends EventName>(name: E, listener: (payload: EventPayloads[E]) => void) => {
      const l = listener as (p: unknown) => void
      return service.onEvent((event) => {
        if (event.name === name) l(event.payload)
      })
    },
  }
}

/** Wait until `cond` holds, checking every 10 ms; fail after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}
