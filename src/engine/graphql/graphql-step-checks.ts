import type { Assertion } from '../../shared/run-spec'
import { streamLogCutText } from '../../shared/stream-log-cut'
import { MAX_STREAM_ENTRY_DATA, type StreamEntry } from '../../shared/streams'
import { selectJson } from '../jobs/json-select'
import type { AssertionResult } from '../runner/checks'
import type { StreamEngine } from '../streams/stream-engine'

/**
 * Checks of a GraphQL subscription step's results, read back from its session's stream log once the step
 * ended: over a WebSocket each result is the `payload` of a `next` (or the legacy `data`) message, over SSE
 * the data of a `next` event; either way `{ data, errors }`.
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

/**
 * How the session's log holds results: messages of a WebSocket protocol, SSE events, or the events of GraphQL
 * over SSE's single connection mode (each `{id, payload}`).
 */
export type ResultsOver = 'ws' | 'sse' | 'sse-single'

export function subscriptionAssertion(
  streams: StreamEngine,
  sid: string,
  a: Assertion,
  over: ResultsOver = 'ws',
): AssertionResult | null {
  if (a.kind !== 'json' && a.kind !== 'body-contains') return null
  return { assertion: a, ...check(streams, sid, a, READINGS[over]) }
}

/**
 * A result that carried GraphQL errors fails the step, as `flightdeck graphql` exits 1 for it: unless the step
 * checks `$.errors` itself (to expect them, or to say where), an implied `$.errors` `exists: false` check is
 * added when some result had errors. Nothing is added when none had (the step's own checks stay as written).
 */
export function resultsWithoutErrors(
  streams: StreamEngine,
  sid: string,
  assertions: readonly Assertion[],
  over: ResultsOver = 'ws',
): AssertionResult[] {
  if (assertions.some((a) => a.kind === 'json' && a.path.replace(/\s/g, '').startsWith('$.errors'))) return []
  const implied: ContentCheck = { kind: 'json', path: '$.errors', exists: false }
  const c = check(streams, sid, implied, READINGS[over])
  // Only a result seen with errors fails it; results too large to read are said by the step's own checks.
  if (c.passed || !c.message.startsWith('$.errors exists')) return []
  return [
    {
      assertion: implied,
      passed: false,
      message: `GraphQL errors: ${c.message} (add a check on $.errors to expect them)`,
    },
  ]
}

/** Whether a logged entry is one of the results. */
export function isResultOver(over: ResultsOver, e: StreamEntry): boolean {
  return READINGS[over].isResult(e)
}

interface Reading {
  isResult(e: StreamEntry): boolean
  /** The result (`{ data, errors }`) a logged entry's text carries. */
  payloadOf(text: string): unknown
}

const WS: Reading = {
  isResult: (e) => e.dir === 'in' && (e.event === 'next' || e.event === 'data') && e.encoding === 'utf8',
  payloadOf: (text) => (parsed(text) as { payload?: unknown } | undefined)?.payload,
}

const SSE: Reading = {
  isResult: (e) => e.kind === 'event' && e.event === 'next' && e.encoding === 'utf8',
  payloadOf: parsed,
}

const SSE_SINGLE: Reading = { isResult: SSE.isResult, payloadOf: WS.payloadOf }

const READINGS: Record<ResultsOver, Reading> = { ws: WS, sse: SSE, 'sse-single': SSE_SINGLE }

function check(
  streams: StreamEngine,
  sid: string,
  a: ContentCheck,
  r: Reading,
): { passed: boolean; message: string } {
  let results = 0
  let unread = 0
  let last: string | null = null
  let hit = 0
  /** The log's cut, in words, when results past it were not kept (so not checked). */
  let notKept: string | null = null
  const everyResult = a.kind === 'body-contains' || a.exists === false
  for (let from = 0, page = 0; page < MAX_PAGES; page++) {
    const read = streams.read({ sid, from, count: PAGE, maxData: MAX_STREAM_ENTRY_DATA })
    if (!read.ok) return { passed: false, message: read.error.message }
    if (read.value.dropped > 0) notKept = streamLogCutText(read.value.dropped, read.value.cut)
    const entries = read.value.entries
    if (entries.length === 0) break
    from += entries.length
    for (const e of entries) {
      if (!r.isResult(e)) continue
      results++
      if (e.truncated) {
        unread++
        continue
      }
      last = e.data
      if (!everyResult || hit > 0) continue
      const payload = r.payloadOf(e.data)
      const text = payload === undefined ? e.data : JSON.stringify(payload)
      if (a.kind === 'body-contains' ? text.includes(a.text) : selectJson(payload, a.path) !== undefined)
        hit = results
    }
  }
  const over = unread > 0 ? `${unread} result${unread === 1 ? '' : 's'} over 1 MiB not read` : ''
  const left = over || notKept ? ` (${[over, notKept].filter(Boolean).join('; ')})` : ''
  const of = `${results} result${results === 1 ? '' : 's'}`
  if (a.kind === 'body-contains')
    return hit > 0
      ? { passed: true, message: `result ${hit} of ${of} contains "${a.text}"` }
      : { passed: false, message: `none of ${of} contains "${a.text}"${left}` }
  if (a.exists === false)
    return hit > 0
      ? { passed: false, message: `${a.path} exists in result ${hit} of ${of}` }
      : { passed: unread === 0 && notKept === null, message: `${a.path} is in none of ${of}${left}` }
  // The last result may be past the cut: what the log kept last is not it.
  if (notKept !== null) return { passed: false, message: `the last result is not kept${left}` }
  if (last === null)
    return {
      passed: false,
      message: results === 0 ? 'no result arrived' : `the last result is not read${left}`,
    }
  const v = selectJson(r.payloadOf(last), a.path)
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

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
