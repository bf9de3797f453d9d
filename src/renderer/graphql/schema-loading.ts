import { formatBytes } from '../../shared/format'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { schemaClient } from './schema-client'
import type { SchemaSummary } from './schema-protocol'

/**
 * Loading a schema into the GraphQL schema worker: an introspection's answer is read from the engine piece by
 * piece and handed to the worker as it comes, which parses it and builds the schema; an SDL file's text is
 * handed over whole. The page only ever holds one piece of the answer and gets back a summary.
 */

/** How long an introspection may take before the composer says it failed. */
export const SCHEMA_WAIT_MS = 30_000
/** The largest introspection answer loaded: a larger one is refused, saying its size. */
export const MAX_SCHEMA_BYTES = 256 * 1024 * 1024
// Small pieces: each is one message the page receives and passes on, kept well under a frame.
const READ_BYTES = 512 * 1024

let loads = 0

/** A fresh key for one load in the worker, so a refresh never mixes its pieces with an earlier answer's. */
export function workerKey(storeKey: string): string {
  return `${storeKey}#${++loads}`
}

/** Why an answer of `size` bytes is not loaded, or null when it may be. */
export function schemaSizeProblem(size: number, limit = MAX_SCHEMA_BYTES): string | null {
  return size > limit
    ? `Schema not loaded: the response is ${formatBytes(size)}, over the ${formatBytes(limit)} a schema may be`
    : null
}

/**
 * Waits for the introspection exchange `sid` to end, then streams its body into the worker under `key` and has
 * the worker build the schema. Throws with the message the composer shows.
 */
export async function introspectInto(
  get: () => AppState,
  client: ApiClient,
  sid: string,
  key: string,
  limit = MAX_SCHEMA_BYTES,
): Promise<SchemaSummary> {
  const body = await finishedBody(get, sid)
  const tooBig = schemaSizeProblem(body.size, limit)
  if (tooBig) throw new Error(tooBig)
  const worker = schemaClient()
  let offset = 0
  // Bounded: the size is at most `limit`, read READ_BYTES at a time; a read that brings nothing ends it.
  for (let i = 0; offset < body.size && i <= Math.ceil(limit / READ_BYTES); i++) {
    const r = await client.invoke('body.read', {
      bodyId: body.id,
      offset,
      length: READ_BYTES,
      encoding: 'utf8',
    })
    if (!r.ok) {
      await worker.call('drop', { key })
      throw new Error(`Schema not loaded: ${r.error.message}`)
    }
    if (r.value.length === 0) break
    await worker.call('chunk', { key, text: r.value.data })
    offset += r.value.length
  }
  if (offset < body.size) {
    await worker.call('drop', { key })
    throw new Error(
      `Schema not loaded: only ${formatBytes(offset)} of the ${formatBytes(body.size)} answer could be read`,
    )
  }
  return worker.call('introspected', { key })
}

/** The body of the exchange `sid` once it is done, or why not. */
async function finishedBody(get: () => AppState, sid: string): Promise<{ id: string; size: number }> {
  const started = Date.now()
  // Bounded in time: the row is checked every 50 ms for at most SCHEMA_WAIT_MS.
  while (Date.now() - started < SCHEMA_WAIT_MS) {
    const t = get().timeline.rows[sid]?.terminal
    if (t?.type === 'error') throw new Error(t.message)
    if (t?.type === 'cancelled') throw new Error('The introspection was cancelled')
    if (t?.type === 'done') return t.body
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`No answer to the introspection within ${SCHEMA_WAIT_MS / 1000} s`)
}
