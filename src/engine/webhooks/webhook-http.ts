import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { HeaderList } from '../../shared/timeline'
import { byteStringText } from '../http/http-headers'
import type { CutReason } from './webhook-cuts'

/**
 * What the webhook inbox reads of a call's head and how it answers it: the HTTP side of a call, apart from how the
 * call is kept. Types only from node:http, which the inbox loads once it listens.
 */

/** A call whose head was read and whose body is still coming: what a cut of it reports. */
export interface InFlight {
  /** The listener that took it: a call whose inbox was stopped since was cut by the inbox, not its caller. */
  server: Server | null
  res: ServerResponse
  /** Undefined for a call to a URL the inbox did not give out (webhook-unknown.ts). */
  token: string | undefined
  t: number
  method: string
  path: string
  query: string
  received: number
  declared: number | undefined
  /** Why node:http gave up on it (a timeout), set before its request closes. */
  cut?: CutReason
  /**
   * Whole or already reported as cut, with the connection's bytes read by then: what node:http gives up on
   * afterwards on that connection is a next head (when bytes came since), or nothing.
   */
  settledAt?: number
}

/** Answers a call with a small JSON body, unless it was answered already. */
export function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** The body's length its head declared, when it did. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const length = Number(req.headers['content-length'] ?? NaN)
  return Number.isFinite(length) ? length : undefined
}

/**
 * The head's headers as sent: names in their own case, repeats kept, in order. Node's http gives each value as
 * the Latin-1 string of its bytes: read as HTTP's other paths read them (a UTF-8 `café` as UTF-8).
 */
export function pairRaw(raw: string[]): HeaderList {
  const out: HeaderList = []
  for (let i = 0; i + 1 < raw.length; i += 2)
    out.push([raw[i] as string, byteStringText(raw[i + 1] as string)])
  return out
}
