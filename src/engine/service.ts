import {
  commandSchemas,
  isCommandName,
  type AppInfo,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type CommandResponses,
  type EngineSettings,
  type TimelineBatch,
} from '../shared/contract'
import { fail, ok, type Result } from '../shared/result'
import { createClock, type Clock } from './clock'
import { EventSink } from './event-sink'
import { HttpEngine } from './http/http-engine'
import { VERSION } from './version'

export interface EngineServiceOptions {
  host: AppInfo['host']
  /** How often the timeline sink flushes a batch to subscribers. */
  flushEveryMs?: number
  settings?: Partial<EngineSettings>
  /** Where bodies too large for memory spill to. Defaults to the OS temp dir. */
  tempDir?: string
  /** Bodies up to this many bytes stay in memory; larger ones spill to a temp file. */
  memoryBodyLimit?: number
}

/**
 * The transport-free service that implements the contract's commands. Electron IPC, the browser host's
 * WebSocket and tests all call `call()` (untrusted payloads, validated here) or `invoke()` (typed).
 */
export interface EngineService {
  readonly clock: Clock
  call(name: unknown, payload: unknown): Promise<Result<unknown>>
  invoke<K extends CommandName>(name: K, payload: CommandRequest<K>): Promise<Result<CommandResponse<K>>>
  subscribe(listener: (batch: TimelineBatch) => void): () => void
  /** Flush the pending timeline batch now (tests and the CLI use this before reading results). */
  flush(): void
  readonly http: HttpEngine
  dispose(): Promise<void>
}

type Handlers = { [K in CommandName]: (payload: CommandRequest<K>) => Promise<Result<CommandResponses[K]>> }

export function createEngineService(options: EngineServiceOptions): EngineService {
  const clock = createClock()
  const sink = new EventSink(options.flushEveryMs ?? 25)
  const http = new HttpEngine({
    clock,
    emit: (e) => sink.emit(e),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.tempDir ? { tempDir: options.tempDir } : {}),
    ...(options.memoryBodyLimit !== undefined ? { memoryBodyLimit: options.memoryBodyLimit } : {}),
  })

  const handlers: Handlers = {
    'app.info': async () =>
      ok({ version: VERSION, host: options.host, clockOrigin: clock.origin, now: clock.now() }),
    'http.send': async (p) => http.send(p.request, p.count ?? 1),
    'session.cancel': async (p) => ok({ cancelled: http.cancel(p.sid) }),
    'body.read': async (p) => http.bodies.read(p.bodyId, p.offset, p.length, p.encoding),
    'settings.get': async () => ok(http.getSettings()),
    'settings.set': async (p) => ok(http.setSettings(p)),
  }

  async function invoke<K extends CommandName>(
    name: K,
    payload: CommandRequest<K>,
  ): Promise<Result<CommandResponse<K>>> {
    return call(name, payload) as Promise<Result<CommandResponse<K>>>
  }

  async function call(name: unknown, payload: unknown): Promise<Result<unknown>> {
    if (!isCommandName(name)) return fail('unknown_command', `Unknown command: ${String(name).slice(0, 64)}`)
    const parsed = commandSchemas[name].safeParse(payload)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
      return fail('bad_payload', `Invalid ${name} payload${where}: ${issue?.message ?? 'malformed'}`)
    }
    try {
      const handler = handlers[name] as (p: unknown) => Promise<Result<unknown>>
      return await handler(parsed.data)
    } catch (e) {
      return fail('internal', `Internal error in ${name}`, e instanceof Error ? e.message : String(e))
    }
  }

  return {
    clock,
    call,
    invoke,
    subscribe: (l) => sink.subscribe(l),
    flush: () => sink.flush(),
    http,
    dispose: async () => {
      sink.flush()
      sink.dispose()
      await http.dispose()
    },
  }
}
