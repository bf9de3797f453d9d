import { z } from 'zod'
import type { HeaderList } from './timeline'
import { lazySchema } from './lazy-schema'

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header a request carries so the
 * servers it reaches put their spans in one trace, and `tracestate`, vendor data passed along untouched.
 *
 *   traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
 *                ver trace-id (16 bytes)              parent-id (8)    flags
 *
 * A request, a folder or the collection says whether requests carry one (`trace:`); the nearest setting that
 * is not `inherit` wins, as auth does. Pure: the ids themselves are drawn in the engine (crypto.randomBytes).
 */

export const TRACE_MODES = ['inherit', 'off', 'per-send', 'per-run'] as const
export type TraceMode = (typeof TRACE_MODES)[number]

/** Longest `tracestate` the spec asks vendors to keep (512 characters), and its most members (32). */
export const MAX_TRACESTATE = 512
const MAX_TRACESTATE_MEMBERS = 32

const TRACESTATE_KEY =
  /^(?:[a-z0-9][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/
// Printable ASCII but `,` and `=`; may not end in a space.
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/

/** Why a `tracestate` value is not one (null when it is fine): the spec's list of `key=value` members. */
export function tracestateProblem(value: string): string | null {
  if (value.length > MAX_TRACESTATE) return `tracestate is longer than ${MAX_TRACESTATE} characters`
  const members = value.split(',').map((m) => m.trim())
  if (members.length > MAX_TRACESTATE_MEMBERS)
    return `tracestate has more than ${MAX_TRACESTATE_MEMBERS} members`
  for (const m of members) {
    if (m === '') continue
    const at = m.indexOf('=')
    const key = at === -1 ? m : m.slice(0, at)
    if (at === -1 || !TRACESTATE_KEY.test(key) || !TRACESTATE_VALUE.test(m.slice(at + 1)))
      return `tracestate member "${m.slice(0, 40)}" is not key=value as the spec writes them`
  }
  return null
}

const jsonPath = lazySchema(() => z.string().min(1).max(1024).regex(/^\$/, 'A JSONPath starts with $'))

/**
 * The `trace:` setting of a request, folder or collection file. `per-send`: a fresh trace id on every send;
 * `per-run`: one trace id for a whole run, a fresh span id per step (outside a run it is per send).
 * `tracestate`: sent with the traceparent (a request's own tracestate header is kept instead).
 * `bodyField`: where a webhook call's JSON body carries the trace id, to join it to the request that sent it.
 */
export const traceSettingSchema = lazySchema(() =>
  z
    .object({
      mode: z.enum(TRACE_MODES),
      tracestate: z
        .string()
        .max(MAX_TRACESTATE)
        .refine((s) => tracestateProblem(s) === null, { message: 'tracestate: not a W3C tracestate list' })
        .optional(),
      bodyField: jsonPath.optional(),
    })
    .strict(),
)
export type TraceSetting = z.infer<typeof traceSettingSchema>

/** The nearest setting that is not `inherit` (innermost last in `chain`), or null when every one inherits. */
export function effectiveTrace(chain: readonly (TraceSetting | undefined)[]): TraceSetting | null {
  for (let i = chain.length - 1; i >= 0; i--) {
    const s = chain[i]
    if (s && s.mode !== 'inherit') return s
  }
  return null
}

export interface Traceparent {
  version: string
  traceId: string
  parentId: string
  flags: string
}

const HEX = /^[0-9a-f]+$/
const ZERO = /^0+$/

/**
 * Parse a traceparent value as the spec's receivers do: version 00 is exactly four fields; a later version may
 * add fields after the flags (kept, not read); `ff` and upper-case hex are invalid, and so are all-zero ids.
 */
export function parseTraceparent(
  value: string,
): { ok: true; value: Traceparent } | { ok: false; reason: string } {
  const v = value.trim()
  if (v.length > 512) return { ok: false, reason: 'it is longer than any traceparent' }
  const parts = v.split('-')
  const [version, traceId, parentId, flags] = parts
  if (version === undefined || traceId === undefined || parentId === undefined || flags === undefined)
    return { ok: false, reason: 'it is not version-traceid-parentid-flags' }
  if (version.length !== 2 || !HEX.test(version) || version === 'ff')
    return {
      ok: false,
      reason: `version "${version.slice(0, 8)}" is not two lower-case hex digits (ff is invalid)`,
    }
  if (version === '00' && parts.length !== 4)
    return { ok: false, reason: 'version 00 has exactly four fields' }
  if (traceId.length !== 32 || !HEX.test(traceId))
    return { ok: false, reason: 'the trace id is not 32 lower-case hex digits' }
  if (ZERO.test(traceId)) return { ok: false, reason: 'the trace id is all zeros' }
  if (parentId.length !== 16 || !HEX.test(parentId))
    return { ok: false, reason: 'the parent id is not 16 lower-case hex digits' }
  if (ZERO.test(parentId)) return { ok: false, reason: 'the parent id is all zeros' }
  if (flags.length !== 2 || !HEX.test(flags)) return { ok: false, reason: 'the flags are not two hex digits' }
  return { ok: true, value: { version, traceId, parentId, flags } }
}

/** `00-<trace id>-<span id>-01`: version 00, sampled. */
export function formatTraceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`
}

/** A trace id as typed (32 hex digits, either case), or null. */
export function asTraceId(text: string): string | null {
  const t = text.trim().toLowerCase()
  return t.length === 32 && HEX.test(t) && !ZERO.test(t) ? t : null
}

/**
 * What the headers a request went out with say about its trace: the trace and span id of a well-formed
 * traceparent, or a note for one that is not (it was sent as written, and names no trace). Null without one.
 */
export function traceOfHeaders(
  headers: HeaderList,
): { traceId: string; spanId: string } | { note: string } | null {
  const found = headers.filter(([k]) => k.toLowerCase() === 'traceparent')
  const first = found[0]
  if (!first) return null
  if (found.length > 1)
    return { note: `The request has ${found.length} traceparent headers: sent as written, no trace id read` }
  const parsed = parseTraceparent(first[1])
  if (!parsed.ok)
    return {
      note: `The traceparent header is not W3C trace context (${parsed.reason}): sent as written, no trace id read`,
    }
  return { traceId: parsed.value.traceId, spanId: parsed.value.parentId }
}

/** Longest link template an environment may keep. */
export const MAX_TRACE_LINK = 2048

/** Why a link template cannot be used (null when it can): an http(s) URL that names `{traceId}`. */
export function traceLinkProblem(template: string): string | null {
  if (template.length > MAX_TRACE_LINK) return `traceLink is longer than ${MAX_TRACE_LINK} characters`
  if (!template.includes('{traceId}')) return 'traceLink must contain {traceId}, where the trace id goes'
  return externalUrlProblem(template.split('{traceId}').join('0af7651916cd43dd8448eb211c80319c'))
}

/** Why a URL may not be opened in the system browser (null when it may): only http and https, with a host. */
export function externalUrlProblem(url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return 'not a URL'
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `only http and https links open (not ${u.protocol})`
  if (u.hostname === '') return 'the link has no host'
  if (u.username !== '' || u.password !== '') return 'a link may not carry a user name or password'
  return null
}

/** The link to a trace in the user's tracing backend, or null when the template cannot be used. */
export function traceLink(template: string, traceId: string): string | null {
  const id = asTraceId(traceId)
  if (traceLinkProblem(template) !== null || id === null) return null
  return template.split('{traceId}').join(id)
}
