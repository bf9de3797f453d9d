import { parentPort } from 'node:worker_threads'
import { hostReplied } from './host-call'
import type { HostReply, TaskInput, TaskKind, TaskOutput, TaskReply, TaskRequest } from './protocol'
import { TaskFailure } from './task-failure'
import { currentThread } from './thread-wait'
import { transferOf } from './transfer'

/**
 * A pool worker: runs each task it is sent and answers with its result or its failure. Each kind's code is
 * loaded by its first task: a worker that runs scripts never loads the importers' parsers and schemas (zod,
 * js-yaml: four fifths of a worker's start, ~150 ms of CPU), one that indexes bodies never loads QuickJS. The
 * Node bundles build the worker with its chunks beside it (scripts/build-node.mjs).
 */

/** `task`: the request's id, for the host calls a task makes while it runs. */
type Handler<K extends TaskKind> = (input: TaskInput<K>, task: number) => Promise<TaskOutput<K>>
type Loaders = { [K in TaskKind]: () => Promise<Handler<K>> }

const loaders: Loaders = {
  'body.lines': async () => (await import('./body-tasks')).bodyLines,
  'body.search': async () => (await import('./body-tasks')).bodySearch,
  'body.forget': async () => (await import('./body-tasks')).bodyForget,
  'import.plan': async () => (await import('./import-tasks')).importPlan,
  'grpc.proto-parse': async () => (await import('./grpc-proto-tasks')).grpcProtoParse,
  'snippet.convert': async () => (await import('./snippet-tasks')).convertSnippet,
  'har.build': async () => (await import('./har-tasks')).buildHar,
  'har.parse': async () => (await import('./har-parse-task')).harParse,
  'export.build': async () => (await import('./export-tasks')).exportBuild,
  'worker.memory': async () => (await import('./worker-memory')).workerMemory,
  'scripts.run': async () => (await import('../scripts/script-task')).scriptsRun,
  'scripts.forget': async () => (await import('../scripts/script-task')).scriptsForget,
}

async function run(request: TaskRequest): Promise<TaskReply> {
  try {
    const load = loaders[request.kind] as () => Promise<(input: unknown, task: number) => Promise<unknown>>
    const handler = await load()
    return { id: request.id, ok: true, value: await handler(request.input, request.id) }
  } catch (e) {
    if (e instanceof TaskFailure) return { id: request.id, ok: false, failure: e.failure }
    const message = e instanceof Error ? e.message : String(e)
    return { id: request.id, ok: false, failure: { kind: 'error', message } }
  }
}

const port = parentPort
const thread = currentThread()
if (port && thread) port.postMessage({ thread })
if (port)
  port.on('message', (message: TaskRequest | HostReply) => {
    if ('reply' in message) return hostReplied(message)
    void run(message).then((reply) => port.postMessage(reply, reply.ok ? transferOf(reply.value) : []))
  })
