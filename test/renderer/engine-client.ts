import type { EngineService } from '../../src/engine/service'
import type { ApiClient } from '../../src/renderer/client/api-client'
import type { EventName, EventPayloads } from '../../src/shared/contract'

/**
 * The renderer's client wired straight to a real engine service in this process (no transport): what the store
 * tests drive the UI's state with. Timeline batches come from the sink, every other event from `onEvent`.
 */
export function engineClient(service: EngineService): ApiClient {
  return {
    invoke: (name, payload) => service.invoke(name, payload),
    on: <E extends EventName>(name: E, listener: (payload: EventPayloads[E]) => void) => {
      const l = listener as (p: unknown) => void
      if (name === 'timeline.batch') return service.subscribe((b) => l(b))
      return service.onEvent((n, p) => {
        if (n === name) l(p)
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
