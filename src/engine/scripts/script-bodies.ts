import type { ScriptRequest, ScriptResponse } from './script-types'

/**
 * Bodies reach the sandbox only when a script reads them. A body past LAZY_BODY_CHARS stays in the worker (the
 * phase's `PhaseBodies`), and the state the prelude parses carries its size in its place (`lazy`, in bytes); the
 * prelude fetches it through a host call on the first read (see 6-phase.js). So a script that checks only the
 * status does not pay for a 100 MB body, nor hit the sandbox's memory limit with it; a script that reads a body
 * too big for that memory is told so, in the body's words, not the script's. Small bodies go inline as before. A
 * url-encoded form is such a body too (its fields, past LAZY_BODY_CHARS of names and values); a multipart or file
 * body reaches scripts as its mode alone.
 */

/** Bodies up to this many characters go inline in the phase's state (one parse, no host call). */
export const LAZY_BODY_CHARS = 64 * 1024

/** Responses a script sees are read up to this many bytes; past it the body is not read at all (`bodyCut`). */
export const SCRIPT_BODY_CHARS = 4 * 1024 * 1024

/** A phase's big bodies, kept host-side until the prelude asks for them. */
export interface PhaseBodies {
  request?: string
  response?: string
  /** The ones the prelude fetched, by name, with their size in bytes (for a memory stop's words). */
  read?: Partial<Record<'request' | 'response', number>>
}

/** A raw body left out of the state: its mode and language as they are, its size instead of its text. */
interface LazyRaw {
  mode: 'raw'
  language: 'json' | 'text'
  contentType?: string
  lazy: number
}

/** A url-encoded body left out of the state: its fields wait host-side as JSON, the state carries that size. */
interface LazyForm {
  mode: 'urlencoded'
  lazy: number
}

export type StateRequest = Omit<ScriptRequest, 'body'> & { body: ScriptRequest['body'] | LazyRaw | LazyForm }
export type StateResponse = Omit<ScriptResponse, 'body'> & {
  body?: string
  lazy?: number
  bodyLimit?: number
}

/**
 * The request as the state carries it: a big raw body kept in `bodies`, and a big form's fields (as the JSON the
 * prelude parses on the first read of them).
 */
export function stateRequest(r: ScriptRequest, bodies: PhaseBodies): StateRequest {
  const b = r.body
  if (b.mode === 'urlencoded') {
    let chars = 0
    for (const f of b.urlencoded) chars += f.key.length + f.value.length
    if (chars <= LAZY_BODY_CHARS) return r
    const fields = JSON.stringify(b.urlencoded)
    bodies.request = fields
    return { ...r, body: { mode: 'urlencoded', lazy: Buffer.byteLength(fields) } }
  }
  if (b.mode !== 'raw' || b.raw.length <= LAZY_BODY_CHARS) return r
  bodies.request = b.raw
  const { raw, ...rest } = b
  return { ...r, body: { ...rest, lazy: Buffer.byteLength(raw) } }
}

/** The response as the state carries it: a big body kept in `bodies`; the read limit for a cut one's words. */
export function stateResponse(r: ScriptResponse, bodies: PhaseBodies): StateResponse {
  if (r.bodyCut) return { ...r, bodyLimit: SCRIPT_BODY_CHARS }
  if (r.body.length <= LAZY_BODY_CHARS) return r
  bodies.response = r.body
  const { body, ...rest } = r
  return { ...rest, lazy: Buffer.byteLength(body) }
}

/**
 * A pre-request script's request as it came back: a body it never read comes back as its size, and is the
 * request's own body again.
 */
export function restoredRequest(out: ScriptRequest, input: ScriptRequest): ScriptRequest {
  const b = out.body as ScriptRequest['body'] | LazyRaw | LazyForm
  if (!('lazy' in b) || b.mode !== input.body.mode) return out
  return { ...out, body: input.body }
}

/** A pm.sendRequest's response as the prelude gets it: a cut one with the read limit, for its words. */
export function sentResponse(r: ScriptResponse): StateResponse {
  return r.bodyCut ? { ...r, bodyLimit: SCRIPT_BODY_CHARS } : r
}
