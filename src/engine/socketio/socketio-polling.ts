import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http'
// From engine.io-client itself: socket.io-client's CommonJS build (what the bundled CLI loads) exports only io,
// Manager and Socket, so its transports are undefined there and a class extending one cannot be made.
import { Fetch, type NodeWebSocket } from 'engine.io-client'
import { PacedNodeWebSocket } from './socketio-paced-websocket'

/**
 * Engine.IO long-polling for the engine, on node:http. socket.io-client's Node transport reads each poll through
 * xmlhttprequest-ssl, which copies the whole answer so far on every chunk (a 50 MB answer took minutes of the
 * engine's thread) and keeps no limit: a hostile server could answer one poll with gigabytes. Here a poll's
 * chunks are joined once, and an answer past POLL_LIMIT_BYTES ends the connection in words, as a WebSocket
 * frame past its limit does (the WebSocket transport keeps `ws`'s own 100 MB limit on a message).
 */

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
  override doPoll(): void {
    this.request(undefined, (body) => this.onData(body), 'xhr poll error')
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
