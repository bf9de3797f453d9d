import type { SchemaOp, SchemaOps, SchemaReply, SchemaRequest } from './schema-protocol'

/**
 * The page's side of the GraphQL schema worker: one worker for the window, started on first use, each call a
 * promise of the worker's answer. Where there is no Web Worker (the Node tests drive the store without a page),
 * the same SchemaService answers in-process, loaded on first use as the worker would be.
 */
export interface SchemaClient {
  call<K extends SchemaOp>(op: K, payload: SchemaOps[K][0]): Promise<SchemaOps[K][1]>
}

let shared: SchemaClient | null = null

/** The window's schema worker (started on first call). */
export function schemaClient(): SchemaClient {
  shared ??= typeof Worker === 'function' ? workerClient() : inProcessClient()
  return shared
}

function workerClient(): SchemaClient {
  let worker: Worker | null = null
  let nextId = 1
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  const start = (): Worker => {
    const w = new Worker(new URL('./schema.worker.ts', import.meta.url), {
      type: 'module',
      name: 'graphql-schema',
    })
    w.onmessage = (e: MessageEvent<SchemaReply>) => {
      const call = pending.get(e.data.id)
      if (!call) return
      pending.delete(e.data.id)
      if (e.data.ok) call.resolve(e.data.value)
      else call.reject(new Error(e.data.message))
    }
    // A worker that fails (it could not load, or ran out of memory) fails every call it had; the next call
    // starts a new one, whose schemas must be loaded again (their calls say "no longer loaded").
    w.onerror = (e) => {
      e.preventDefault()
      const why = new Error(`The GraphQL schema worker failed: ${e.message || 'it could not run'}`)
      for (const call of pending.values()) call.reject(why)
      pending.clear()
      w.terminate()
      if (worker === w) worker = null
    }
    return w
  }
  return {
    call(op, payload) {
      worker ??= start()
      const id = nextId++
      const w = worker
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        const request: SchemaRequest = { id, op, payload }
        w.postMessage(request)
      })
    },
  }
}

function inProcessClient(): SchemaClient {
  const service = import('./schema-service').then(({ SchemaService }) => new SchemaService())
  return {
    async call(op, payload) {
      return (await service).handle(op, payload)
    },
  }
}
