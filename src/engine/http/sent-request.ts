import type { Socket } from 'node:net'
import type { HeaderList, RequestSentEvent } from '../../shared/timeline'
import { requestSentEvent } from './exchange-events'
import { headerLinesBytes, sentOverH2 } from './h2-connection-headers'
import { parseSentHeaders } from './http-headers'
import { socketInfoOf, type SocketInfo } from './socket-claim'

/** Why an attempt's event is made before undici said its body was all written. */
export type SentShort = 'answered' | 'cut' | 'cancelled'

const SHORT_WORDS: Record<SentShort, string> = {
  answered: 'Answered',
  cut: 'Cut off',
  cancelled: 'Cancelled',
}

/**
 * What a kept-alive connection tells each request after its first: the same every time (reused, its id, protocol
 * and address), so it is worked out once per connection and shared, not made again for each request on it.
 */
const kReusedInfo = Symbol('reusedSocketInfo')
type InfoCarrier = Socket & { [kReusedInfo]?: SocketInfo }

function infoOf(socket: Socket | undefined): SocketInfo {
  if (socket === undefined) return socketInfoOf(socket)
  const carrier = socket as InfoCarrier
  const known = carrier[kReusedInfo]
  if (known !== undefined) return known
  const info = socketInfoOf(socket)
  // The first request on a connection claims its phases (its info says so): only a reused one's is shared.
  if (info.reused) carrier[kReusedInfo] = info
  return info
}

/**
 * What one attempt of an exchange put on the wire: the connection it was written to, its header block as
 * written and how many bytes it and the body took, and a note on how it was sent (a body's framing, a resend).
 * A resend (goaway-resend.ts) starts a new one; the note is all it carries over.
 *
 * undici says a request is sent only once its whole body is written: an attempt cut off while its body was going
 * out, or answered before (a server may answer on the head alone), never hears it. Its event is made then instead,
 * with the body bytes that were written, so every attempt whose head went out is on the timeline.
 */
export class SentRequest {
  socket: Socket | undefined = undefined
  info: SocketInfo | null = null
  /** The header block as parsed; null until an event needs it (an HTTP/1.1 attempt's, parsed from `rawHeaders`). */
  private headers: HeaderList | null = null
  private rawHeaders = ''
  private headersBytes = 0
  bodyBytes = 0
  note: string | undefined = undefined
  /** This attempt is the request's second send (`note` says why). */
  resent = false
  /** What the connection had read when this request was written to it: the answers before this one. */
  private readBefore = 0
  /** Body bytes undici has handed to the connection so far. */
  private bodyWritten = 0
  /** The attempt's request-sent event was made: it is made once. */
  private reported = false

  /** The socket undici wrote the request to and the header block as written; returns what the socket says. */
  attach(socket: Socket | undefined, rawHeaders: string): SocketInfo {
    this.socket = socket
    this.readBefore = socket?.bytesRead ?? 0
    const info = (this.info = infoOf(socket))
    this.headersBytes = Buffer.byteLength(rawHeaders) + 2
    // Parsed only when its event is made: most attempts of a lean hop (Chain.lean) make none.
    this.rawHeaders = rawHeaders
    this.headers = null
    if (info.protocol === 'h2') {
      const published = parseSentHeaders(rawHeaders, info.protocol)
      const sent = sentOverH2(published)
      // The published block still holds what the guard left off: only what went is counted.
      if (sent.note) this.headersBytes -= headerLinesBytes(published) - headerLinesBytes(sent.headers)
      this.headers = sent.headers
      if (sent.note) this.note = this.note ? `${this.note}; ${sent.note}` : sent.note
    }
    return info
  }

  /** Whether any byte came back on the connection after this request was written to it. */
  heardBack(): boolean {
    return (this.socket?.bytesRead ?? 0) > this.readBefore
  }

  /** A piece of the body was handed to the connection (undici 7 passes the piece; its types say its size). */
  wrote(chunk: unknown): void {
    if (typeof chunk === 'number') this.bodyWritten += chunk
    else if (typeof chunk === 'string') this.bodyWritten += Buffer.byteLength(chunk)
    else if (chunk instanceof Uint8Array) this.bodyWritten += chunk.byteLength
  }

  /** The request-sent event for this attempt, sent between `start` and `t`; null once it was made. */
  event(sid: string, start: number, t: number): RequestSentEvent | null {
    if (this.reported) return null
    this.reported = true
    const e = requestSentEvent(
      sid,
      start,
      t,
      this.info,
      (this.headers ??= parseSentHeaders(this.rawHeaders, 'http/1.1')),
      this.headersBytes,
      this.bodyBytes,
      this.note,
    )
    if (this.resent) e.resent = true
    return e
  }

  /** The attempt is told sent without its event (a lean hop's, Chain.lean: nobody reads it); a resend's is made. */
  sentUnseen(sid: string, start: number, t: number): RequestSentEvent | null {
    if (!this.resent) {
      this.reported = true
      return null
    }
    return this.event(sid, start, t)
  }

  /** Whether its head went out and its event is still to be made (what `eventSoFar` would make). */
  unreported(): boolean {
    return this.info !== null && !this.reported
  }

  /**
   * The event of an attempt whose head went out but whose body undici had not finished writing when it was
   * answered, cut off or cancelled; null when its head never went out or its event was made.
   */
  eventSoFar(sid: string, start: number, t: number, why: SentShort): RequestSentEvent | null {
    if (!this.unreported()) return null
    const planned = this.bodyBytes
    if (this.bodyWritten < planned) {
      this.bodyBytes = this.bodyWritten
      const written = this.bodyWritten.toLocaleString('en-US')
      const short = `${SHORT_WORDS[why]} after ${written} of its ${planned.toLocaleString('en-US')} body bytes were written`
      this.note = this.note ? `${short}; ${this.note}` : short
    } else {
      // A body of a length not known before sending (planned 0) is as long as what went out.
      this.bodyBytes = Math.max(planned, this.bodyWritten)
    }
    return this.event(sid, start, t)
  }
}
