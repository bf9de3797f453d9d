import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
// From engine.io-client itself: socket.io-client's CommonJS build (what the bundled CLI loads) exports only io,
// Manager and Socket, so its transports are undefined there and a class extending one cannot be made.
import { Fetch, type NodeWebSocket } from 'engine.io-client'
import { PacedNodeWebSocket, SLICE_BYTES, TURN_MAX_BYTES, TURN_MS } from './socketio-paced-websocket'

/**
 * Engine.IO long-polling for the engine, on node:http. socket.io-client's Node transport reads each poll through
 * xmlhttprequest-ssl, which copies the whole answer so far on every chunk (a 50 MB answer took minutes of the
 * engine's thread) and keeps no limit: a hostile server could answer one poll with gigabytes. Here a poll's
 * chunks are joined once, and an answer past POLL_LIMIT_BYTES ends the connection in words, as a WebSocket
 * frame past its limit does (the WebSocket transport keeps `ws`'s own 100 MB limit on a message).
 *
 * A poll's answer is also handed on paced, as the WebSocket transport's messages are
 * (socketio-paced-websocket.ts): a server answers a poll with every packet it has waiting, and engine.io-client
 * handed them all to socket.io-client in one turn of the event loop (a flooding server's 300,000 events held
 * every other request and session meanwhile). Here the answer goes on a slice of packets at a time (SLICE_BYTES,
 * cut at the packets' separator), the next slice once the one before is handled and while the turn has spent
 * less than TURN_MS and TURN_MAX_BYTES on them. The next poll goes out once the answer is all handed on (so what
 * waits is bounded by one answer, itself bounded by POLL_LIMIT_BYTES), and a pause for the upgrade to WebSocket
 * waits for it too, so no packet is handed to a transport that was let go.
 */

/** Engine.IO v4 separates the packets of a long-polling payload with this character. */
const SEPARATOR = '\x1e'

/** The most one long-polling answer may hold: the same as the WebSocket transport's limit on a message. */
export const POLL_LIMIT_BYTES = 100 * 1024 * 1024

/** The words a poll past the limit ends with (the disconnect's description carries them to the session). */
export function pollTooLarge(host: string, limit = POLL_LIMIT_BYTES): string {
  return `The server at ${host} sent a long-polling answer larger than ${limit / 1024 / 1024} MB; Flightdeck closed the connection`
}

export function isPollTooLarge(text: string): boolean {
  return text.startsWith('The server at ') && text.includes(' sent a long-polling answer larger than ')
}

interface PollOptions {
  extraHeaders?: Record<string, string>
  rejectUnauthorized?: boolean
  ca?: string
}

export class BoundedPolling extends Fetch {
  /** The poll answer being handed on, and how much of it has been. */
  private answer = ''
  private offset = 0
  /** A poll or a pause asked for while an answer was still being handed on: they wait for its end. */
  private pollWaiting = false
  private pauseWaiting: (() => void) | null = null
  private turnStart = -1
  private turnBytes = 0
  private handling = false
  private readonly nextTurn = (): void => {
    this.turnStart = -1
    this.turnBytes = 0
    this.pump()
  }
  private readonly handled = (): void => {
    this.handling = false
    this.pump()
  }
  // socket.io-client hands each packet on by process.nextTick; a microtask queued from the tick queue runs once
  // it is empty, so the slice is handled by then.
  private readonly afterHandling = (): void => queueMicrotask(this.handled)

  constructor(...args: ConstructorParameters<typeof Fetch>) {
    super(...args)
    // engine.io-client's onData says `pollComplete` after every slice; a pause for the upgrade waits for it, and
    // must not end (and the transport be let go) while the rest of the answer waits: it is said after the last.
    const emit = this.emitReserved.bind(this)
    this.emitReserved = ((event: string, ...rest: unknown[]) =>
      event === 'pollComplete' && this.handingOn
        ? this
        : (emit as (e: string, ...r: unknown[]) => this)(event, ...rest)) as typeof this.emitReserved
  }

  private get handingOn(): boolean {
    return this.offset < this.answer.length
  }

  override doPoll(): void {
    if (this.handingOn) {
      this.pollWaiting = true
      return
    }
    this.pollWaiting = false
    this.request(
      undefined,
      (body) => {
        this.answer = body
        this.offset = 0
        this.pump()
      },
      'xhr poll error',
    )
  }

  override pause(onPause: () => void): void {
    if (this.handingOn || this.handling) this.pauseWaiting = onPause
    else super.pause(onPause)
  }

  /** Hands on the answer's next slice once the one before is handled and while the turn allows it. */
  private pump(): void {
    if (this.handling) return
    if (!this.handingOn || this.readyState === 'closed') {
      this.answer = ''
      this.offset = 0
      this.resumeWaiting()
      return
    }
    if (this.turnStart < 0) {
      this.turnStart = performance.now()
      setImmediate(this.nextTurn)
    } else if (this.turnBytes >= TURN_MAX_BYTES || performance.now() - this.turnStart >= TURN_MS) return
    const cut = this.answer.indexOf(SEPARATOR, this.offset + SLICE_BYTES)
    const end = cut === -1 ? this.answer.length : cut
    const slice = this.answer.slice(this.offset, end)
    this.offset = cut === -1 ? end : end + 1
    this.turnBytes += slice.length
    this.handling = true
    try {
      // Each slice is a payload of its own: engine.io-client decodes it, hands its packets on, and asks for the
      // next poll, which waits (doPoll) until the last slice.
      this.onData(slice)
    } finally {
      process.nextTick(this.afterHandling)
    }
  }

  private resumeWaiting(): void {
    const pause = this.pauseWaiting
    this.pauseWaiting = null
    if (this.pollWaiting && (this.readyState === 'open' || this.readyState === 'pausing')) this.doPoll()
    if (pause) super.pause(pause)
  }

  override doWrite(data: string, callback: () => void): void {
    this.request(data, () => callback(), 'xhr post error')
  }

  private request(body: string | undefined, done: (text: string) => void, failure: string): void {
    const url = new URL(this.uri())
    const o = this.opts as PollOptions
    const headers: Record<string, string> = { ...o.extraHeaders }
    if (body !== undefined) headers['content-type'] = 'text/plain;charset=UTF-8'
    const options: RequestOptions & { rejectUnauthorized?: boolean; ca?: string } = {
      method: body === undefined ? 'GET' : 'POST',
      headers,
    }
    const secure = url.protocol === 'https:'
    if (secure) {
      options.rejectUnauthorized = o.rejectUnauthorized !== false
      if (o.ca !== undefined) options.ca = o.ca
    }
    // node:https loads with the first https:// poll, not with the engine.
    const request: ClientRequest = secure
      ? process.getBuiltinModule('node:https').request(url, options)
      : process.getBuiltinModule('node:http').request(url, options)
    request.on('error', (e) => this.onError(failure, e))
    request.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0
      if (status < 200 || status > 299) {
        res.resume()
        this.onError(failure, status)
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > POLL_LIMIT_BYTES) {
          chunks.length = 0
          res.destroy()
          request.destroy()
          this.onError(pollTooLarge(url.host), new Error(pollTooLarge(url.host)))
          return
        }
        chunks.push(c)
      })
      res.on('error', (e) => this.onError(failure, e))
      res.on('end', () => {
        if (size <= POLL_LIMIT_BYTES) done(Buffer.concat(chunks, size).toString('utf8'))
      })
    })
    request.end(body)
  }
}

/**
 * The transports for `transports: ['polling', 'websocket']` or `['websocket']`, polling bounded, the WebSocket's
 * messages paced.
 */
export function socketIoTransports(websocketOnly: boolean): (typeof BoundedPolling | typeof NodeWebSocket)[] {
  return websocketOnly ? [PacedNodeWebSocket] : [BoundedPolling, PacedNodeWebSocket]
}
