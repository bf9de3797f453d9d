import type { CommandName, CommandRequest, CommandResponse } from '../shared/contract'
import type { Result } from '../shared/result'
import { commandDispatcher } from './command-dispatch'
import { createCommandTable } from './command-table'
import { createEngineParts } from './engine-parts'
import type { EngineService, EngineServiceOptions } from './service-types'
import { openBodySource } from './sessions/timeline-handlers'

export type { CliHooks, EngineService, EngineServiceOptions } from './service-types'

/**
 * The engine as the hosts see it: the contract's commands (validated, then handled by the command table), one
 * event path (`onEvent`), and the few narrow hooks the CLI needs. Wiring only: the parts are built in
 * engine-parts.ts, the handlers bound in command-table.ts.
 */
export function createEngineService(options: EngineServiceOptions): EngineService {
  const parts = createEngineParts(options)
  const call = commandDispatcher(createCommandTable(parts, options))
  const { http, streams, collections, runs } = parts

  return {
    call,
    invoke: <K extends CommandName>(name: K, payload: CommandRequest<K>) =>
      call(name, payload) as Promise<Result<CommandResponse<K>>>,
    onEvent: (listener) => parts.onEvent(listener),
    subscribe: (listener) =>
      parts.onEvent((event) => {
        if (event.name === 'timeline.batch') listener(event.payload)
      }),
    flush: () => parts.sink.flush(),
    openBody: (bodyId) => openBodySource(http.bodies, bodyId),
    dispose: () => parts.dispose(),

    waitForExchange: (sid) => http.waitFor(sid),
    waitForStream: (sid) => streams.wait(sid),
    streamLog: (sid) => streams.logs.get(sid),
    allowFilesForSession: (folders) => collections.files.allowForSession(folders),
    waitForRun: (runId) => runs.wait(runId),
    runSnapshot: (runId) => runs.get(runId),
    runSteps: (runId) => runs.steps(runId),

    clock: parts.clock,
    http,
    collections,
    auth: parts.auth,
    streams,
    runs,
  }
}
