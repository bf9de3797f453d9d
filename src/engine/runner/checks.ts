import type { Assertion, Extraction, WebhookAssertion } from '../../shared/run-spec'
import type { DoneEvent, HeaderList } from '../../shared/timeline'
import { isTooDeep, parseJsonBody, selectJson } from '../jobs/json-select'

/**
 * Declarative checks on a response: assertions (pass/fail with a plain message) and extractions (values
 * pulled into variables for later requests). Nothing here evaluates user text as code: JSONPath uses the
 * safe evaluator, regexes are matched against at most MAX_SCAN bytes of the body.
 */

export interface AssertionResult {
  assertion: Assertion
  passed: boolean
  message: string
}

/** What a check sees of one finished exchange. */
export interface ResponseView {
  done: DoneEvent
  headers: HeaderList
  /** The body as text (the first MAX_SCAN bytes). */
  body: string
}

export const MAX_SCAN = 4 * 1024 * 1024

/** Why a check or an extraction on a body nested past what JSONPath and JSON text can walk fails. */
export const TOO_DEEP = 'the response is nested too deeply to check (thousands of levels)'

export { isTooDeep }

export function runAssertions(list: readonly Assertion[], r: ResponseView): AssertionResult[] {
  // Made at its size (a pushed-to empty array grows room for 16 results): this runs for every response of a run.
  const out = new Array<AssertionResult>(list.length)
  // The body is parsed once, on the first check that reads it; a status check (most) makes nothing for it.
  let jsonBody: (() => unknown) | undefined
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as Assertion
    out[i] = a.kind === 'status' ? statusCheck(a, r.done.status) : check(a, r, (jsonBody ??= lazyJson(r)))
  }
  return out
}

function lazyJson(r: ResponseView): () => unknown {
  let json: unknown
  let parsed = false
  return () => {
    if (!parsed) {
      json = parseJsonBody(r.body)
      parsed = true
    }
    return json
  }
}

/** A status assertion's verdict and words (the same as `check` gives, without a closure per call). */
function statusCheck(a: Extract<Assertion, { kind: 'status' }>, s: number): AssertionResult {
  if (a.equals !== undefined)
    return s === a.equals
      ? { assertion: a, passed: true, message: statusIs(s) }
      : { assertion: a, passed: false, message: `status ${s} is not ${a.equals}` }
  if (a.oneOf) {
    const passed = a.oneOf.includes(s)
    return {
      assertion: a,
      passed,
      message: `status ${s}${passed ? ' is' : ' is not'} one of ${a.oneOf.join(', ')}`,
    }
  }
  const lo = a.min ?? 0
  const hi = a.max ?? 999
  const passed = s >= lo && s <= hi
  return { assertion: a, passed, message: `status ${s}${passed ? ' is' : ' is not'} within ${lo}–${hi}` }
}

/** `status N is N`, made once per status: a passing status check's words are the same for every response. */
const statusIsWords = new Array<string | undefined>(1000)
function statusIs(s: number): string {
  if (!Number.isInteger(s) || s < 0 || s >= statusIsWords.length) return `status ${s} is ${s}`
  return (statusIsWords[s] ??= `status ${s} is ${s}`)
}

function check(a: Assertion, r: ResponseView, jsonBody: () => unknown): AssertionResult {
  const ok = (passed: boolean, message: string): AssertionResult => ({ assertion: a, passed, message })
  switch (a.kind) {
    case 'header':
    case 'body-contains':
      return { assertion: a, ...checkContent(a, r, jsonBody) }
    case 'json':
      try {
        return { assertion: a, ...checkContent(a, r, jsonBody) }
      } catch (e) {
        // JSON.parse reads any depth; JSONPath and JSON text recurse, and a body thousands of levels deep
        // overflows them. The check fails in words instead of ending the run.
        if (!isTooDeep(e)) throw e
        return ok(false, `${a.path}: ${TOO_DEEP}`)
      }
    case 'status':
      return statusCheck(a, r.done.status)
    case 'duration-under': {
      const t = r.done.timings.time
      return ok(t < a.ms, `took ${Math.round(t)} ms${t < a.ms ? ', under' : ', not under'} ${a.ms} ms`)
    }
    case 'message-count':
      return ok(false, 'message-count applies to SSE and WebSocket requests')
    case 'grpc-status':
      return ok(false, 'grpc-status applies to gRPC requests')
  }
}

type ContentAssertion = Extract<Assertion, { kind: 'header' | 'json' | 'body-contains' }>

/** The checks that look at headers and the body only: the same on a response and on a webhook call. */
function checkContent(
  a: ContentAssertion,
  r: { headers: HeaderList; body: string },
  jsonBody: () => unknown,
): Omit<AssertionResult, 'assertion'> {
  const ok = (passed: boolean, message: string): Omit<AssertionResult, 'assertion'> => ({ passed, message })
  switch (a.kind) {
    case 'header': {
      const v = r.headers.find(([k]) => k.toLowerCase() === a.name.toLowerCase())?.[1]
      if (a.exists !== undefined) {
        return ok(
          (v !== undefined) === a.exists,
          `header ${a.name} ${v !== undefined ? 'is present' : 'is missing'}`,
        )
      }
      if (v === undefined) return ok(false, `header ${a.name} is missing`)
      if (a.equals !== undefined)
        return ok(
          v === a.equals,
          `header ${a.name} is "${v}"${v === a.equals ? '' : `, expected "${a.equals}"`}`,
        )
      if (a.contains !== undefined)
        return ok(
          v.includes(a.contains),
          `header ${a.name} "${v}"${v.includes(a.contains) ? ' contains' : ' does not contain'} "${a.contains}"`,
        )
      return ok(true, `header ${a.name} is present`)
    }
    case 'json': {
      const json = jsonBody()
      if (json === undefined) return ok(false, notJson(r.headers))
      const v = selectJson(json, a.path)
      if (a.exists !== undefined)
        return ok(
          (v !== undefined) === a.exists,
          `${a.path} ${v !== undefined ? 'exists' : 'does not exist'}`,
        )
      const same = JSON.stringify(v) === JSON.stringify(a.equals ?? null)
      return ok(
        same,
        `${a.path} is ${JSON.stringify(v)}${same ? '' : `, expected ${JSON.stringify(a.equals ?? null)}`}`,
      )
    }
    case 'body-contains': {
      const has = r.body.includes(a.text)
      return ok(has, `the body ${has ? 'contains' : 'does not contain'} "${a.text}"`)
    }
  }
}

/** Codings the engine undoes (decoders.ts); a body in any other is checked as the bytes that came. */
const DECODED = new Set(['gzip', 'x-gzip', 'deflate', 'br', 'identity'])

/** Why a body is not JSON, when the reason is a coding the engine does not decode (zstd on Node 20). */
function notJson(headers: HeaderList): string {
  const coding = headers.find(([k]) => k.toLowerCase() === 'content-encoding')?.[1]
  const foreign = coding
    ?.split(',')
    .map((c) => c.trim().toLowerCase())
    .find((c) => c !== '' && !DECODED.has(c))
  return foreign === undefined
    ? 'the body is not JSON'
    : `the body is not JSON: it is ${foreign}-encoded, which Flightdeck does not decode`
}

export interface WebhookAssertionResult {
  assertion: WebhookAssertion
  passed: boolean
  message: string
}

/** What a check sees of a webhook call. */
export interface CallView {
  method: string
  /** The path after the token, `/` when there was none. */
  path: string
  headers: HeaderList
  /** The body as text (the first MAX_SCAN bytes). */
  body: string
}

/** Checks on a webhook call; messages start with "webhook:" so a failure reads plainly in a run's summary. */
export function runWebhookAssertions(
  list: readonly WebhookAssertion[],
  c: CallView,
): WebhookAssertionResult[] {
  let json: unknown
  let parsed = false
  const jsonBody = (): unknown => {
    if (!parsed) {
      json = parseJsonBody(c.body)
      parsed = true
    }
    return json
  }
  return list.map((a) => {
    if (a.kind === 'method') {
      const same = c.method.toUpperCase() === a.equals.toUpperCase()
      return {
        assertion: a,
        passed: same,
        message: `webhook: method ${c.method}${same ? '' : `, expected ${a.equals}`}`,
      }
    }
    if (a.kind === 'path') {
      const same = c.path === a.equals
      return {
        assertion: a,
        passed: same,
        message: `webhook: path ${JSON.stringify(c.path)}${same ? '' : `, expected ${JSON.stringify(a.equals)}`}`,
      }
    }
    const r = checkContent(a, c, jsonBody)
    return { assertion: a, passed: r.passed, message: `webhook: ${r.message}` }
  })
}

/** A count against `equals` / `min` / `max`, in words. */
export function checkCount(
  a: Extract<Assertion, { kind: 'message-count' }>,
  n: number,
): Omit<AssertionResult, 'assertion'> {
  const what = `${n} message${n === 1 ? '' : 's'}`
  if (a.equals !== undefined)
    return { passed: n === a.equals, message: `${what}${n === a.equals ? '' : `, expected ${a.equals}`}` }
  const lo = a.min ?? 0
  const hi = a.max ?? Number.POSITIVE_INFINITY
  const passed = n >= lo && n <= hi
  const range = a.max === undefined ? `at least ${lo}` : a.min === undefined ? `at most ${hi}` : `${lo}–${hi}`
  return { passed, message: `${what}${passed ? '' : `, expected ${range}`}` }
}

/** An extraction that gave its variable no value, and why, in words (the step fails on it). */
export interface MissingValue {
  name: string
  why: string
}

/**
 * How many levels of objects and arrays a parsed JSON value nests, walked without recursion (a value too deep
 * for JSONPath is too deep for a recursive walk too). Only on the failure path: the walk is the body's size.
 */
export function jsonDepth(value: unknown): number {
  let max = 0
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 1 }]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { v, d } = top
    if (v === null || typeof v !== 'object') continue
    if (d > max) max = d
    for (const c of Array.isArray(v) ? v : Object.values(v))
      if (c !== null && typeof c === 'object') stack.push({ v: c, d: d + 1 })
  }
  return max
}

/**
 * The words for an extraction from a body nested past what JSONPath and JSON text can walk. They recurse, so
 * the limit is the engine's call stack: about 1,500 levels for a recursive descent (`$..x`), about 4,000 to
 * write a value found as JSON text; the depth is the body's, counted.
 */
function tooDeepToExtract(x: Extract<Extraction, { from: 'json' }>, json: unknown): string {
  const depth = jsonDepth(json).toLocaleString('en-US')
  return `${x.path}: the body is nested ${depth} levels deep, deeper than JSONPath can read (it stops where the engine's call stack runs out, after a few thousand levels): ${x.name} has no value`
}

/** Values for the extractions that found something; missing ones are listed, with why, so the run can say so. */
export function runExtractions(
  list: readonly Extraction[],
  r: { headers: HeaderList; body: string },
): { values: Map<string, string>; missing: MissingValue[] } {
  const values = new Map<string, string>()
  const missing: MissingValue[] = []
  let json: unknown
  for (const x of list) {
    let v: string | undefined
    if (x.from === 'json') {
      json ??= parseJsonBody(r.body)
      try {
        const found = json === undefined ? undefined : selectJson(json, x.path)
        v = found === undefined ? undefined : typeof found === 'string' ? found : JSON.stringify(found)
      } catch (e) {
        // Nested past what JSONPath and JSON text can walk: no value the variable could hold, and why.
        if (!isTooDeep(e)) throw e
        missing.push({ name: x.name, why: tooDeepToExtract(x, json) })
        continue
      }
    } else if (x.from === 'header') {
      v = r.headers.find(([k]) => k.toLowerCase() === x.header.toLowerCase())?.[1]
    } else {
      let re: RegExp | null = null
      try {
        re = new RegExp(x.pattern)
      } catch {
        re = null
      }
      const m = re?.exec(r.body)
      v = m ? (m[x.group ?? 1] ?? m[0]) : undefined
    }
    if (v === undefined) missing.push({ name: x.name, why: `nothing found for ${x.name}` })
    else values.set(x.name, v)
  }
  return { values, missing }
}
