import type { Socket } from 'node:net'
import type { ErrorCode } from '../../shared/result'
import { formatBytes } from '../../shared/format'

/**
 * A call the webhook inbox cut before it was whole: refused as too large (413), too slow (408), not HTTP (400), or
 * the caller hung up. The caller got (at most) an answer; the person watching sees it on the timeline as a
 * webhook session that ends in an error naming the reason and the caller's address (webhook-timeline.ts).
 */
export interface WebhookCut {
  id: string
  /** The token of the URL it called, when its head was read (and the token is one the inbox minted). */
  token?: string
  /** The session that minted that token, when known. */
  owner?: string
  /** When its head arrived (its connection opened, when the head never came whole). */
  t: number
  wall: number
  /** When it was cut. */
  cutAt: number
  /** Empty when the head never came whole. `path` is after `/hooks/<token>`; for an unknown URL, the whole path. */
  method: string
  path: string
  query: string
  /** What the caller was answered; null when it hung up (nothing to answer). */
  status: number | null
  code: Extract<
    ErrorCode,
    'body_too_large' | 'timeout_headers' | 'timeout_total' | 'reset' | 'protocol' | 'not_found'
  >
  /** In plain words, without the answer or the address: `its body passed the inbox's 16 MB limit`. */
  reason: string
  remoteAddress: string
}

export type CutReason = Pick<WebhookCut, 'status' | 'code' | 'reason'>

export const cutReasons = {
  declaredTooLarge: (declared: number, limit: number): CutReason => ({
    status: 413,
    code: 'body_too_large',
    reason: `its body of ${formatBytes(declared)} is over the inbox's ${formatBytes(limit)} limit`,
  }),
  tooLarge: (limit: number): CutReason => ({
    status: 413,
    code: 'body_too_large',
    reason: `its body passed the inbox's ${formatBytes(limit)} limit`,
  }),
  slowBody: (timeoutMs: number, received: number): CutReason => ({
    status: 408,
    code: 'timeout_total',
    reason: `its call was not whole after ${seconds(timeoutMs)} (${formatBytes(received)} of body received)`,
  }),
  slowHead: (timeoutMs: number): CutReason => ({
    status: 408,
    code: 'timeout_headers',
    reason: `its head was not whole after ${seconds(timeoutMs)}`,
  }),
  hungUp: (received: number, declared: number | undefined): CutReason => ({
    status: null,
    code: 'reset',
    reason: `it hung up after ${formatBytes(received)} of its body${declared !== undefined ? ` of ${formatBytes(declared)}` : ''}`,
  }),
  hungUpInHead: (): CutReason => ({
    status: null,
    code: 'reset',
    reason: 'it hung up before its head was whole',
  }),
  /**
   * A call to a URL the inbox never gave out, or has forgotten (a service still posting to an old run's URL).
   * `count`: calls to unknown URLs so far, said once past the first few (not each is shown). `ended`: how it ended
   * when not as a whole call (too slow, hung up, a body past what the inbox reads): that answer, and why.
   */
  unknownToken: (count: number, shownEach: number, ended?: CutReason): CutReason => ({
    status: ended ? ended.status : 404,
    code: ended ? ended.code : 'not_found',
    reason:
      'it called a URL this inbox did not give out or has forgotten (an old or mistyped token)' +
      (ended ? `, and ${ended.reason}` : '') +
      (count > shownEach
        ? `; ${count.toLocaleString('en-US')} such calls so far (past the first ${shownEach}, one is shown each time the count doubles)`
        : ''),
  }),
  /** A call to an unknown URL sending more body than the inbox reads of one: answered 404, then its connection closed. */
  unreadBody: (limit: number): CutReason => ({
    status: 404,
    code: 'not_found',
    reason: `its body passed the ${formatBytes(limit)} the inbox reads of such a call (answered, then its connection closed)`,
  }),
  notHttp: (status: number, what: string): CutReason => ({
    status,
    code: 'protocol',
    reason: `not an HTTP request the inbox can read (${what})`,
  }),
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}

/**
 * Why node:http gave up on a connection (its `clientError`), and the answer it would have written itself had
 * nobody listened: 408 for its timeouts, 431 for a head too large, 400 for what is not HTTP, nothing after a reset.
 * `inBody`: whether the call's head was read (a timeout is then the body's).
 */
export function clientErrorReason(
  err: NodeJS.ErrnoException,
  inBody: { received: number; declared: number | undefined } | undefined,
  timeouts: { headersMs: number; requestMs: number },
): CutReason {
  const code = err.code ?? ''
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return inBody
      ? cutReasons.slowBody(timeouts.requestMs, inBody.received)
      : cutReasons.slowHead(timeouts.headersMs)
  if (code === 'ECONNRESET' || code === 'HPE_INVALID_EOF_STATE')
    return inBody ? cutReasons.hungUp(inBody.received, inBody.declared) : cutReasons.hungUpInHead()
  if (code === 'HPE_HEADER_OVERFLOW') return cutReasons.notHttp(431, 'its head is too large')
  return cutReasons.notHttp(400, code || err.message)
}

// Not node:http's STATUS_CODES: the inbox loads node:http only once it listens (a CLI command never needs it).
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}

/** Writes node:http's own short answer for a connection it gives up on, when nothing was answered yet. */
export function answerCut(socket: Socket, status: number | null, answered: boolean): void {
  if (status === null || answered || !socket.writable) return
  socket.write(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}\r\nConnection: close\r\n\r\n`)
}
