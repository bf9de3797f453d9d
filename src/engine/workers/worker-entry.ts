import { parentPort } from 'node:worker_threads'
import { bodyForget, bodyLines, bodySearch } from './body-tasks'
import { exportBuild } from './export-tasks'
import { buildHar } from './har-tasks'
import { harParse } from './har-parse-task'
import { importPlan } from './import-tasks'
import { hostReplied } from './host-call'
import { scriptsForget, scriptsRun } from '../scripts/script-task'
import { convertSnippet } from './snippet-tasks'
import type { HostReply, TaskInput, TaskKind, TaskOutput, TaskReply, TaskRequest } from './protocol'
import { TaskFailure } from './task-failure'
import { transferOf } from './transfer'
import { workerMemory } from './worker-memory'

/** A pool worker: runs each task it is sent and answers with its result or its failure. */

/** `task`: the request's id, for the host calls a task makes while it runs. */
type Handlers = { [K in TaskKind]: (input: TaskInput<K>, task: number) => Promise<TaskOutput<K>> }

const handlers: Handlers = {
  'body.lines': bodyLines,
  'body.search': bodySearch,
  'body.forget': bodyForget,
  'import.plan': importPlan,
  'snippet.convert': convertSnippet,
  'har.build': buildHar,
  'har.parse': harParse,
  'export.build': exportBuild,
  'worker.memory': workerMemory,
  'scripts.run': scriptsRun,
  'scripts.forget': scriptsForget,
}

async function run(request: TaskRequest): Promise<TaskReply> {
  const handler = handlers[request.kind] as (input: unknown, task: number) => Promise<unknown>
  try {
    return { id: request.id, ok: true, value: await handler(request.input, request.id) }
  } catch (e) {
    if (e instanceof TaskFailure) return { id: request.id, ok: false, failure: e.failure }
    const message = e instanceof Error ? e.message : String(e)
    return { id: request.id, ok: false, failure: { kind: 'error', message } }
  }
}

const port = parentPort
if (port)
  port.on('message', (message: TaskRequest | HostReply) => {
    if ('reply' in message) return hostReplied(message)
    void run(message).then((reply) => port.postMessage(reply, reply.ok ? transferOf(reply.value) : []))
  })
