import type { CommandName, CommandRequest, CommandResponse } from '../shared/contract'
import { fail, type Result } from '../shared/result'
import { commandDispatcher } from './command-dispatch'
import { createCommandTable } from './command-table'
import type { EngineParts } from './engine-parts'
import type { CommandService, EngineServiceOptions } from './service-types'
import { openBodySource } from './sessions/timeline-handlers'

/**
 * The service over the engine's parts: the contract's commands (validated, then handled by the command table),
 * one event path (`onEvent`), and the few narrow hooks the CLI needs. A hook about a part not yet built answers
 * as that part would for a session or run it does not know, which is every one: there is none yet.
 */
export function serviceOver(parts: EngineParts, options: EngineServiceOptions): CommandService {
  const dispatch = commandDispatcher(createCommandTable(parts, options))
  const { http, streams, collections, runs } = parts
  // Once the engine stops, a command is refused: run, it would open a session or build a part nothing disposes.
  let stopping = false
  const call: typeof dispatch = (name, payload) =>
    stopping
      ? Promise.resolve(fail('unsupported', 'Flightdeck is stopping: the command was not run'))
      : dispatch(name, payload)
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
    dispose: () => {
      stopping = true
      return parts.dispose()
    },

    waitForExchange: (sid) => http.waitFor(sid),
    waitForStream: async (sid) => (await streams.get()).wait(sid),
    streamLog: (sid) => streams.peek()?.logs.get(sid),
    allowFilesForSession: async (folders) => (await collections.get()).manager.files.allowForSession(folders),
    variablesForSession: async (settings) => (await collections.get()).manager.session.set(settings),
    waitForRun: (runId) => runs.peek()?.wait(runId) ?? null,
    runSnapshot: (runId) => runs.peek()?.get(runId) ?? fail('not_found', `No run ${runId}`),
    runSteps: (runId) => runs.peek()?.steps(runId) ?? [],
  }
}
