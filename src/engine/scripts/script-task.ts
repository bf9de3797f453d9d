import { callHost } from '../workers/host-call'
import type { TaskInput, TaskOutput } from '../workers/protocol'
import { forgetSandbox, runScriptPhase } from './sandbox'
import { SCRIPT_COOKIE_CALL, SCRIPT_SEND_CALL } from './script-calls'
import type { SandboxSend, SandboxSendReply } from './script-types'

/** Worker side of the script tasks: a phase in the sandbox, its `pm.sendRequest`s sent by the engine's thread. */

export { SCRIPT_SEND_CALL }

export async function scriptsRun(
  input: TaskInput<'scripts.run'>,
  task: number,
): Promise<TaskOutput<'scripts.run'>> {
  return runScriptPhase(
    input,
    async (request) => {
      const send: SandboxSend = { request }
      return (await callHost(task, SCRIPT_SEND_CALL, send)) as SandboxSendReply
    },
    async (op) => (await callHost(task, SCRIPT_COOKIE_CALL, op)) as SandboxSendReply,
  )
}

export async function scriptsForget(
  input: TaskInput<'scripts.forget'>,
): Promise<TaskOutput<'scripts.forget'>> {
  forgetSandbox(input.key)
  return null
}
