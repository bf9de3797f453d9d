import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2'
import type { Socket } from 'node:net'
import symbols from 'undici/lib/core/symbols.js'
import { EngineError } from './errors'
import type { Client } from './undici-parts'
import { h2InternalsPresent, UNDICI_GOAWAY_LISTENER, warnFallback } from './undici-internals'

/**
 * What lets one undici Client carry many HTTP/2 streams safely: a graceful GOAWAY (code NO_ERROR) is read as RFC
 * 9113 §6.8 says. The server names the last stream it took; it finishes the streams up to it, and Node's http2
 * session (nghttp2) closes the ones above it with REFUSED_STREAM, which were never processed and go again
 * (goaway-resend.ts). undici 7 instead destroys the socket on any GOAWAY, failing every stream on it, also the
 * ones the server took and is answering (undici 8 fixes it, but needs Node ≥ 22.19). So for a connection this
 * module adopts, undici's GOAWAY handler is taken off its session: after a graceful GOAWAY the connection takes
 * no new stream (its context reads busy), finishes what it has, and closes; a GOAWAY with an error code goes to
 * undici's handler as before.
 *
 * The context's busy check is also HTTP/2's own: a stream is refused only past the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS. undici 7 keeps a non-idempotent request (a POST) or one with a streamed body
 * waiting until no other stream is open, for fear of what a failing connection does to its neighbours; with
 * the GOAWAY read rightly, a stream's fate is its own (a stream the server took is answered, one it did not is
 * refused and unprocessed), and a POST is still never sent again when it may have been processed.
 */

const { kHTTP2Session, kHTTPContext, kSocket, kRunning, kSize, kMaxConcurrentStreams, kUrl } = symbols

const NGHTTP2_NO_ERROR = 0
const NGHTTP2_REFUSED_STREAM = 7

type Internals = Record<symbol, unknown>
type GoawayListener = (this: ClientHttp2Session, code: number, lastStreamId: number, data?: Buffer) => void

function internals(client: Client): Internals {
  return client as unknown as Internals
}

/** The socket of the client's current connection (null between connections). */
export function clientSocket(client: Client): Socket | null {
  return (internals(client)[kSocket] as Socket | null | undefined) ?? null
}

/** Requests the client holds: running on its connection and waiting for it. */
export function heldRequests(client: Client): number {
  return Number(internals(client)[kSize] ?? 0)
}

/** Streams at once the client's server allows (its SETTINGS; undici's default, 100, until they come). */
export function streamsAllowed(client: Client): number {
  return Number(internals(client)[kMaxConcurrentStreams] ?? 1)
}

/** Streams the client has open on its connection. */
export function runningStreams(client: Client): number {
  return Number(internals(client)[kRunning] ?? 0)
}

/**
 * Take over the GOAWAY handling of the client's current HTTP/2 connection (call it as the client connects,
 * before any frame is read). `onGraceful` is told once the server has said a graceful GOAWAY, with the last
 * stream it names: the connection takes no new streams from then on. Returns false, changing nothing, when the
 * client's connection is not HTTP/2 or undici's internals are not the ones this was written against (a newer
 * undici): the caller then must not multiplex on it.
 */
export interface LaneEvents {
  /** The server said a graceful GOAWAY naming this last stream: the connection takes no new streams. */
  graceful(lastStreamId: number): void
  /** The server's SETTINGS said how many streams it allows at once. */
  settings(maxConcurrentStreams: number): void
  /** A stream has ended (told after undici has counted it ended): the connection has room for another. */
  streamEnded(): void
}

export function adoptGracefulGoaway(client: Client, events: LaneEvents): boolean {
  if (!h2InternalsPresent()) return false
  const state = internals(client)
  const session = state[kHTTP2Session] as ClientHttp2Session | null | undefined
  const context = state[kHTTPContext] as Context | null | undefined
  if (!session || !context) return false
  if (typeof context.busy !== 'function' || typeof context.write !== 'function') {
    warnFallback('h2', ["the HTTP/2 connection context's busy and write"])
    return false
  }
  const undiciGoaway = session
    .listeners('goaway')
    .find((f): f is GoawayListener => typeof f === 'function' && f.name === UNDICI_GOAWAY_LISTENER)
  if (!undiciGoaway) {
    warnFallback('h2', [`the session's GOAWAY listener ${UNDICI_GOAWAY_LISTENER}`])
    return false
  }
  let said: Goaway | null = null
  session.off('goaway', undiciGoaway)
  session.on(
    'goaway',
    function (this: ClientHttp2Session, code: number, lastStreamId: number, data?: Buffer) {
      const first = said === null
      said = { code, last: lastStreamId }
      if (code !== NGHTTP2_NO_ERROR) {
        undiciGoaway.call(this, code, lastStreamId, data)
        return
      }
      if (first) events.graceful(lastStreamId)
    },
  )
  const noStreams = refuseNoStreams(client, state)
  let closing = false
  context.busy = (): boolean => {
    if (said !== null) {
      // Its streams have ended: it closes now, so any request still waiting on it goes over a new connection
      // (undici connects again for it); Node's session stays open after a graceful GOAWAY otherwise.
      if (!closing && runningStreams(client) === 0) {
        closing = true
        queueMicrotask(() => session.close())
      }
      return true
    }
    const most = Number(state[kMaxConcurrentStreams] ?? 1)
    if (most <= 0) noStreams()
    return runningStreams(client) >= most
  }
  readFailuresByStream(session, context, () => said, events)
  // After undici's own listener, which has read the limit into the client by then.
  session.on('remoteSettings', (settings: { maxConcurrentStreams?: number }) =>
    events.settings(settings.maxConcurrentStreams ?? streamsAllowed(client)),
  )
  return true
}

/** How long a connection whose server allows no stream at all (SETTINGS_MAX_CONCURRENT_STREAMS 0) may stay so
 * with requests waiting on it: RFC 9113 §6.5.2 asks servers to say 0 only for short durations. */
export const NO_STREAMS_GRACE_MS = 1_000

/**
 * A server whose SETTINGS allow no stream holds every request waiting for a stream; none is written, so no
 * timeout of the request's runs and it would wait for ever. If it still allows none, with none of its streams
 * open, a moment after a request found it so, the connection ends and its requests fail saying why (nothing was
 * sent); a later request tries a new connection.
 */
function refuseNoStreams(client: Client, state: Internals): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  const check = (): void => {
    timer = null
    if (client.destroyed || Number(state[kMaxConcurrentStreams] ?? 1) > 0 || runningStreams(client) > 0)
      return
    const host = (state[kUrl] as URL | undefined)?.host ?? 'The server'
    void client
      .destroy(
        new EngineError(
          'protocol',
          `${host} allows no HTTP/2 streams on its connection (SETTINGS_MAX_CONCURRENT_STREAMS 0 for over ${NO_STREAMS_GRACE_MS / 1000} s): the request was not sent`,
        ),
      )
      .catch(() => undefined)
  }
  return () => {
    timer ??= setTimeout(check, NO_STREAMS_GRACE_MS)
  }
}

type Goaway = { code: number; last: number }
type Context = { busy?: unknown; write?: unknown }
type UndiciRequest = { onError(err: Error): unknown }

/**
 * What a request's failure says, read from its stream: a stream above the last one a GOAWAY named, or one reset
 * with REFUSED_STREAM, was never processed (RFC 9113 §6.8, §8.7), whatever undici reported (a socket closed, or a
 * streamed body's "Premature close"); one at or below it, after a GOAWAY with an error code, was cut off by that
 * GOAWAY (undici reports it so for one request only, and "closed" for the others). goaway-resend.ts decides
 * from that. undici makes each request's stream inside `write`, through `session.request`.
 */
function readFailuresByStream(
  session: ClientHttp2Session,
  context: Context,
  goaway: () => Goaway | null,
  events: LaneEvents,
): void {
  const write = context.write as (req: UndiciRequest) => unknown
  const request = session.request
  let made: ClientHttp2Stream | null = null
  session.request = function (this: ClientHttp2Session, ...args: Parameters<ClientHttp2Session['request']>) {
    made = request.apply(this, args)
    // Listened before undici's own listeners; told once they have all run.
    made.once('close', () => queueMicrotask(() => events.streamEnded()))
    return made
  }
  context.write = (req: UndiciRequest): unknown => {
    made = null
    const accepted = write.call(context, req)
    const stream = made as ClientHttp2Stream | null
    if (stream) {
      const onError = req.onError
      req.onError = function (this: UndiciRequest, err: Error) {
        return onError.call(this, failureOf(err, stream, goaway()))
      }
    }
    return accepted
  }
}

function failureOf(err: Error, stream: ClientHttp2Stream, goaway: Goaway | null): Error {
  const id = stream.id
  if (stream.rstCode === NGHTTP2_REFUSED_STREAM || (goaway && id !== undefined && id > goaway.last))
    return refusedError(err)
  if (goaway && goaway.code !== NGHTTP2_NO_ERROR) return goawayError(err, goaway.code)
  return err
}

/** The error Node gives a stream reset with REFUSED_STREAM (what goaway-resend.ts reads), the first as its cause. */
function refusedError(err: Error): Error {
  if (/REFUSED_STREAM/.test(err.message)) return err
  return Object.assign(new Error('Stream closed with error code NGHTTP2_REFUSED_STREAM', { cause: err }), {
    code: 'ERR_HTTP2_STREAM_ERROR',
  })
}

/** undici's error for a request a GOAWAY with an error code cut off (what goaway-resend.ts reads). */
function goawayError(err: Error, code: number): Error {
  if (/GOAWAY/.test(err.message)) return err
  return Object.assign(new Error(`HTTP/2: "GOAWAY" frame received with code ${code}`, { cause: err }), {
    code: 'UND_ERR_SOCKET',
  })
}
