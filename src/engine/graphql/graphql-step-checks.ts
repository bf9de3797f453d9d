import type { Assertion } from '../../shared/run-spec'
import { MAX_STREAM_ENTRY_DATA, type StreamEntry } from '../../shared/streams'
import { selectJson } from '../jobs/json-select'
import type { AssertionResult } from '../runner/checks'
import type { StreamEngine } from '../streams/stream-engine'

/**
 * Checks of a GraphQL subscription step's results, read back from its session's stream log once the step
 * ended: each result is the `payload` of a `next` (or the legacy `data`) message, `{ data, errors }`.
 *
 * - `json` reads the last result (`$.data.count` equals 5), except `exists: false`, which holds only when no
 *   result has the path: `$.errors` with `exists: false` says no result carried errors, not just the last.
 * - `body-contains`: some result's text contains the text.
 *
 * The log is read in pages (bounded memory, whatever the count); a result over MAX_STREAM_ENTRY_DATA (1 MiB)
 * is not parsed, and the check says how many were left unread rather than passing over them quietly.
 */

const PAGE = 1000
const MAX_PAGES = 100_000

type ContentCheck = Extract<Assertion, { kind: 'json' | 'body-contains' }>

export function subscriptionAssertion(
  streams: StreamEngine,
  sid: string,
  a: Assertion,
): AssertionResult | null {
  if (a.kind !== 'json' && a.kind !== 'body-contains') return null
  const r = check(streams, sid, a)
  return { assertion: a, ...r }
}

function check(streams: StreamEngine, sid: string, a: ContentCheck): { passed: boolean; message: string } {
  let results = 0
  let unread = 0
  let last: string | null = null
  let hit = 0
  const everyResult = a.kind === 'body-contains' || a.exists === false
  for (let from = 0, page = 0; page < MAX_PAGES; page++) {
    const read = streams.read({ sid, from, count: PAGE, maxData: MAX_STREAM_ENTRY_DATA })
    if (!read.ok) return { passed: false, message: read.error.message }
    const entries = read.value.entries
    if (entries.length === 0) break
    from += entries.length
    for (const e of entries) {
      if (!isResult(e)) continue
      results++
      if (e.truncated) {
        unread++
        continue
      }
      last = e.data
      if (!everyResult || hit > 0) continue
      if (a.kind === 'body-contains' ? payloadText(e.data).includes(a.text) : has(e.data, a.path))
        hit = results
    }
  }
  const left = unread > 0 ? ` (${unread} result${unread === 1 ? '' : 's'} over 1 MiB not read)` : ''
  const of = `${results} result${results === 1 ? '' : 's'}`
  if (a.kind === 'body-contains')
    return hit > 0
      ? { passed: true, message: `result ${hit} of ${of} contains "${a.text}"` }
      : { passed: false, message: `none of ${of} contains "${a.text}"${left}` }
  if (a.exists === false)
    return hit > 0
      ? { passed: false, message: `${a.path} exists in result ${hit} of ${of}` }
      : { passed: unread === 0, message: `${a.path} is in none of ${of}${left}` }
  if (last === null)
    return {
      passed: false,
      message: results === 0 ? 'no result arrived' : `the last result is not read${left}`,
    }
  const v = selectJson(payloadOf(last), a.path)
  const where = `in the last of ${of}`
  if (a.exists === true)
    return {
      passed: v !== undefined,
      message: `${a.path} ${v !== undefined ? 'exists' : 'does not exist'} ${where}`,
    }
  const same = JSON.stringify(v) === JSON.stringify(a.equals ?? null)
  return {
    passed: same,
    message: `${a.path} is ${JSON.stringify(v)} ${where}${same ? '' : `, expected ${JSON.stringify(a.equals ?? null)}`}`,
  }
}

/** A result: an incoming `next` (graphql-transport-ws) or `data` (legacy) message. */
function isResult(e: StreamEntry): boolean {
  return e.dir === 'in' && (e.event === 'next' || e.event === 'data') && e.encoding === 'utf8'
}

function payloadOf(message: string): unknown {
  try {
    const m = JSON.parse(message) as { payload?: unknown }
    return m.payload
  } catch {
    return undefined
  }
}

function payloadText(message: string): string {
  const p = payloadOf(message)
  return p === undefined ? message : JSON.stringify(p)
}

function has(message: string, path: string): boolean {
  return selectJson(payloadOf(message), path) !== undefined
}
