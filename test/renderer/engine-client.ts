import type { EngineService } from '../../src/engine/service'
import type { ApiClient } from '../../src/renderer/client/api-client'
import type { EventName, EventPayloads } from '../../src/shared/contract'
import { ownCpuMs } from '../helpers/cpu-bound'

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

/**
 * Wait until `cond` holds, checked every 10 ms; fail once this process has spent `ms` of CPU time on the way
 * without it holding. The engine, the servers it talks to and the test share this process, so that is the work
 * the wait is for: on a loaded two-core machine wall time also counts the turns spent waiting for a core (waits
 * of 5 s timed out at load 25-30 with a fraction of that done). A wait for something idle (a delay, a reply
 * that never comes) spends almost no CPU: it fails after `4 * ms` of wall time.
 */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const wallEnd = Date.now() + 4 * ms
  const cpuEnd = ownCpuMs() + ms
  while (!cond()) {
    if (ownCpuMs() > cpuEnd) throw new Error(`timed out: ${ms} ms of CPU time spent waiting`)
    if (Date.now() > wallEnd) throw new Error(`timed out: nothing happened in ${4 * ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
