import { z } from 'zod'

/**
 * The request model shared by the composer, the engine and (later) collection files. The URL is the source
 * of truth for the query string; the params table in the UI is a view of it.
 */

import { DEFAULT_REQUEST_OPTIONS } from './constants'
import { lazySchema } from './lazy-schema'

export { DEFAULT_REQUEST_OPTIONS, HTTP_METHODS } from './constants'

const MAX_TEXT = 64 * 1024 * 1024

/** Headers the engine adds when a request sets none, which a request may leave out (Postman's disabledSystemHeaders). */
/**
 * Headers Flightdeck writes itself unless told not to: its User-Agent, Accept and Accept-Encoding, a body's own
 * Content-Type, and an SSE request's Cache-Control (curl's `-H 'Name:'` leaves each out).
 */
export const defaultHeaderNamesSchema = lazySchema(() =>
  z.array(z.enum(['user-agent', 'accept', 'accept-encoding', 'content-type', 'cache-control'])).max(5),
)

export const keyValueSchema = lazySchema(() =>
  z.object({
    name: z.string().max(8192),
    value: z.string().max(1024 * 1024),
    enabled: z.boolean(),
  }),
)
export type KeyValue = z.infer<typeof keyValueSchema>

export const multipartPartSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('text'),
      name: z.string().max(8192),
      value: z.string().max(MAX_TEXT),
      /** The part's own Content-Type (a JSON part of an upload); without one the part has none, as a form's. */
      contentType: z
        .string()
        .max(256)
        .regex(/^[\x20-\x7e]*$/, 'A part’s content type is printable ASCII on one line')
        .optional(),
      enabled: z.boolean(),
    }),
    z.object({
      kind: z.literal('file'),
      name: z.string().max(8192),
      /** '' until a file is chosen (a part imported from a HAR, which has no file bytes): such a part is not sent. */
      path: z.string().max(4096),
      contentType: z.string().max(256).optional(),
      /** The filename the part is sent with (curl's -F ;filename=); without one, the path's last name. */
      fileName: z.string().min(1).max(1024).optional(),
      enabled: z.boolean(),
    }),
  ]),
)
export type MultipartPart = z.infer<typeof multipartPartSchema>

export const bodySchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('text'), text: z.string().max(MAX_TEXT), contentType: z.string().max(256) }),
    z.object({ kind: z.literal('json'), text: z.string().max(MAX_TEXT) }),
    z.object({ kind: z.literal('form'), fields: z.array(keyValueSchema).max(10_000) }),
    z.object({ kind: z.literal('multipart'), parts: z.array(multipartPartSchema).max(1000) }),
    z.object({
      kind: z.literal('file'),
      path: z.string().min(1).max(4096),
      contentType: z.string().max(256).optional(),
    }),
  ]),
)
export type RequestBody = z.infer<typeof bodySchema>
export type BodyKind = RequestBody['kind']

export const requestOptionsSchema = lazySchema(() =>
  z.object({
    /** Give up if the TCP (and TLS) connection is not up within this many ms. */
    connectTimeoutMs: z.number().int().min(1).max(600_000),
    /** Give up if response headers have not arrived this long after the request was sent. */
    headersTimeoutMs: z.number().int().min(1).max(3_600_000),
    /** Give up if the body goes quiet for this long between two chunks. */
    idleTimeoutMs: z.number().int().min(1).max(3_600_000),
    /** Give up on the whole exchange (all hops) after this long; 0 means no limit. */
    totalTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3_600_000),
    followRedirects: z.boolean(),
    maxRedirects: z.number().int().min(0).max(100),
    /** Accept certificates that do not verify (self-signed, expired, wrong host). Off unless the user says so. */
    insecure: z.boolean(),
    /** Path to a PEM file of extra certificate authorities to trust for this request. */
    caFile: z.string().max(4096).optional(),
    decompress: z.boolean(),
    cookies: z.boolean(),
    /** Refuse a response body larger than this (decoded bytes). */
    maxBodyBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Offer HTTP/2 in ALPN on TLS connections. */
    http2: z.boolean(),
    /** HTTPS only: send over an HTTP/2 connection of its own that accepts server push; off, pushes are refused. */
    acceptPush: z.boolean(),
    /** Headers the engine adds when a request sets none, left out for this one (Postman's disabledSystemHeaders). */
    omitDefaultHeaders: defaultHeaderNamesSchema.optional(),
  }),
)
export type RequestOptions = z.infer<typeof requestOptionsSchema>

export const requestSpecSchema = lazySchema(() =>
  z.object({
    method: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'Method must be an HTTP token'),
    url: z.string().max(64 * 1024),
    headers: z.array(keyValueSchema).max(1000),
    body: bodySchema,
    options: requestOptionsSchema.partial(),
    /**
     * Headers besides Authorization, Cookie and Proxy-Authorization that carry a credential (an API-key auth's
     * header): like them, they stay with the request's origin and are left off a redirect to another.
     */
    credentialHeaders: z.array(z.string().max(256)).max(16).optional(),
  }),
)
export type RequestSpec = z.infer<typeof requestSpecSchema>

/** A partial object as zod infers it: every key optional, `undefined` allowed. */
export type Loose<T> = { [K in keyof T]?: T[K] | undefined }

export function resolveOptions(partial: Loose<RequestOptions> | undefined): RequestOptions {
  const out: RequestOptions = { ...DEFAULT_REQUEST_OPTIONS }
  if (!partial) return out
  for (const key of Object.keys(partial) as (keyof RequestOptions)[]) {
    const v = partial[key]
    if (v !== undefined) (out as Record<string, unknown>)[key] = v
  }
  return out
}

export function emptyRequest(): RequestSpec {
  return { method: 'GET', url: '', headers: [], body: { kind: 'none' }, options: {} }
}
