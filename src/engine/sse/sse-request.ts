import { readCaPemText } from '../files/pem-file'
import { Agent } from '../http/undici-parts'
import type { RequestOptions, RequestSpec } from '../../shared/request'
import { fail, ok, type AppError, type Result } from '../../shared/result'
import type { HeaderList } from '../../shared/timeline'
import type { Clock } from '../clock'
import { MAX_RESPONSE_HEADER_BYTES } from '../http/errors'
import { hasHeader } from '../http/http-headers'
import { prepareBodySync } from '../http/request-body'
import { checkBodyContentType, checkFraming, checkMethod } from '../http/request-checks'
import { UNTYPED_MULTIPART, untypedMultipart } from '../http/untyped-multipart'
import { checkHeaderList, ownedConnector, parseStreamUrl, type SocketOwner } from '../streams/stream-plumbing'
import { VERSION } from '../version'

/**
 * The request of an SSE session as composed, checked once for the session's whole life: its URL, its method (as a
 * send checks it: a CONNECT is refused), its headers with what a stream asks for, the Last-Event-ID a person set by
 * hand, and the private undici agent every connection of the session goes through (so each socket it opens is the
 * session's own: stream-plumbing.ts).
 */
export interface StreamRequest {
  url: URL | null
  headers: HeaderList
  /** Why the request cannot be made (a bad URL or header, an unreadable CA file); null when it can. */
  invalid: AppError | null
  agent: Agent | null
  /** A Last-Event-ID header set by hand: it resumes the stream like `lastEventId` (the first id, not fixed). */
  handSetEventId: string | undefined
}

export function composeStreamRequest(
  spec: RequestSpec,
  options: RequestOptions,
  clock: Clock,
  owner: SocketOwner,
): StreamRequest {
  const url = parseStreamUrl(spec.url, ['http', 'https'])
  // Checked in the order a send checks them (send-plan.ts): the URL, the method, then the headers.
  const method = checkMethod(spec.method.toUpperCase())
  const headers = checkStreamHeaders(spec)
  const handSet = headers.ok ? headers.value.find(([k]) => k.toLowerCase() === 'last-event-id') : undefined
  const ca = url.ok && method.ok && headers.ok ? readCa(options.caFile) : null
  const invalid = !url.ok
    ? url.error
    : !method.ok
      ? method.error
      : !headers.ok
        ? headers.error
        : ca && !ca.ok
          ? ca.error
          : null
  const agent =
    invalid || !ca?.ok
      ? null
      : new Agent({
          connect: ownedConnector(
            clock,
            {
              insecure: options.insecure,
              http2: options.http2,
              connectTimeoutMs: options.connectTimeoutMs,
              ...(ca.value ? { ca: ca.value } : {}),
            },
            owner,
          ),
          allowH2: options.http2,
          connections: 2,
          pipelining: 1,
          maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
          headersTimeout: 0,
          bodyTimeout: 0,
        })
  return {
    url: url.ok ? url.value : null,
    headers: headers.ok ? withStreamHeaders(headers.value, options.omitDefaultHeaders) : [],
    invalid,
    agent,
    handSetEventId: handSet?.[1],
  }
}

/**
 * The request's headers, checked as a send checks them (request-checks.ts): the stream goes through the same
 * HTTP client (undici), which refuses a Keep-Alive, Upgrade, Transfer-Encoding or Expect header, or a Content-Length
 * its body belies, in words that name nothing the person typed. Refused here, naming the header, before any connection;
 * and a form-data body whose Content-Type is left out, in the words Send refuses it with.
 */
export function checkStreamHeaders(spec: RequestSpec): Result<HeaderList> {
  const headers = checkHeaderList(spec.headers)
  if (!headers.ok) return headers
  const bodyType = checkBodyContentType(spec.body, headers.value)
  if (!bodyType.ok) return bodyType
  const framing = checkFraming(headers.value, prepareBodySync(spec.body)?.length ?? null)
  if (!framing.ok) return framing
  // A form with its Content-Type left out: the server could not split its parts (untyped-multipart.ts).
  const typed = headers.value.some(([name]) => name.toLowerCase() === 'content-type')
  if (untypedMultipart(spec.body, typed, spec.options.omitDefaultHeaders))
    return fail('invalid_request', `${UNTYPED_MULTIPART}. Nothing was sent`)
  const expect = headers.value.find(([name]) => name.toLowerCase() === 'expect')
  // undici refuses any Expect ('expect header not supported'); a send's words for it speak of a body sent at once.
  if (expect)
    return fail(
      'invalid_request',
      `Header "${expect[0]}" cannot be sent: the HTTP client opens a stream with its whole request and waits for no 100 Continue. Remove it`,
    )
  return headers
}

/** The headers a stream sends unless it set them, or its `omitDefaultHeaders` leaves them out (as a send's). */
export function withStreamHeaders(headers: HeaderList, omit: readonly string[] = []): HeaderList {
  const out: HeaderList = [...headers]
  const has = (name: string): boolean => omit.includes(name) || hasHeader(out, name)
  if (!has('user-agent')) out.push(['user-agent', `Flightdeck/${VERSION}`])
  if (!has('accept')) out.push(['accept', 'text/event-stream'])
  // What EventSource sends: intermediaries must not serve a stream from a cache.
  if (!has('cache-control')) out.push(['cache-control', 'no-cache'])
  return out
}

function readCa(file: string | undefined): Result<string | undefined> {
  if (!file) return ok(undefined)
  try {
    return ok(readCaPemText(file))
  } catch (e) {
    return fail('file', `Cannot read the CA file ${file}`, e instanceof Error ? e.message : String(e))
  }
}
