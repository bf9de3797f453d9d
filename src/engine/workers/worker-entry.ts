import { parentPort } from 'node:worker_threads'
import { bodyForget, bodyLines, bodySearch } from './body-tasks'
import { exportBuild } from './export-tasks'
import { buildHar } from './har-tasks'
import { harParse } from './har-parse-task'
import { importPlan } from './import-tasks'
import { convertSnippet } from './snippet-tasks'
import type { TaskInput, TaskKind, TaskOutput, TaskReply, TaskRequest } from './protocol'
import { TaskFailure } from './task-failure'
import { transferOf } from './transfer'
import { workerMemory } from './worker-memory'

/** A pool worker: runs each task it is sent and answers with its result or its failure. */

type Handlers = { [K in TaskKind]: (input: TaskInput<K>) => Promise<TaskOutput<K>> }

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
}

async function run(request: TaskRequest): Promise<TaskReply> {
  const handler = handlers[request.kind] as (input: unknown) => Promise<unknown>
  try {
    return { id: request.id, ok: true, value: await handler(request.input) }
  } catch (e) {
    if (e instanceof TaskFailure) return { id: request.id, ok: false, failure: e.failure }
    const message = e instanceof Error ? e.message : String(e)
    return { id: request.id, ok: false, failure: { kind: 'error', message } }
  }
}

const port = parentPort
if (port)
  port.on(
    'message',
    (request: TaskRequest) =>
      void run(request).then((reply) => port.postMessage(reply, reply.ok ? transferOf(reply.value) : [])),
  )
