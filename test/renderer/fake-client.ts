import type {
  CommandName,
  CommandRequest,
  CommandResponse,
  EventPayloads,
  TimelineBatch,
} from '../../src/shared/contract'
import type { Result } from '../../src/shared/result'
import type { ApiClient } from '../../src/renderer/client/api-client'

type Handler = { [K in CommandName]?: (payload: CommandRequest<K>) => Result<CommandResponse<K>> }

/** A client that records calls and answers from handlers; `emit` pushes a timeline batch to subscribers. */
export function fakeClient(handlers: Handler = {}) {
  const calls: { name: CommandName; payload: unknown }[] = []
  const listeners = new Set<(b: TimelineBatch) => void>()
  const client: ApiClient = {
    async invoke<K extends CommandName>(
      name: K,
      payload: CommandRequest<K>,
    ): Promise<Result<CommandResponse<K>>> {
      calls.push({ name, payload })
      const h = handlers[name] as ((p: CommandRequest<K>) => Result<CommandResponse<K>>) | undefined
      if (!h) return { ok: false, error: { code: 'unknown_command', message: `no fake for ${name}` } }
      return h(payload)
    },
    on<E extends keyof EventPayloads>(_name: E, listener: (payload: EventPayloads[E]) => void) {
      const l = listener as (b: TimelineBatch) => void
      listeners.add(l)
      return () => listeners.delete(l)
    },
  }
  return {
    client,
    calls,
    emit: (batch: TimelineBatch) => listeners.forEach((l) => l(batch)),
    listenerCount: () => listeners.size,
  }
}
