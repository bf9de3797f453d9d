import type { CancelledEvent, DoneEvent, ErrorEvent, RedirectEvent } from '../../shared/timeline'

/** HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the parts Flightdeck writes and reads. */

export type TerminalEvent = DoneEvent | ErrorEvent | CancelledEvent | RedirectEvent

export interface HarNameValue {
  name: string
  value: string
  comment?: string
}

export interface HarCookie extends HarNameValue {
  path?: string
  domain?: string
  expires?: string
  httpOnly?: boolean
  secure?: boolean
}

/** A posted parameter (HAR 1.2): a multipart part carries its own type, and a file part its filename. */
export interface HarParam extends HarNameValue {
  fileName?: string
  contentType?: string
}

export interface HarPostData {
  mimeType: string
  text?: string
  /** Not in HAR 1.2 for a request (only a response's content has it); proxies write it for a binary body. */
  encoding?: string
  params?: HarParam[]
  comment?: string
}

export interface HarRequest {
  method: string
  url: string
  httpVersion: string
  cookies: HarCookie[]
  headers: HarNameValue[]
  queryString: HarNameValue[]
  postData?: HarPostData
  headersSize: number
  bodySize: number
  comment?: string
}

export interface HarContent {
  size: number
  compression?: number
  mimeType: string
  text?: string
  encoding?: string
  comment?: string
}

export interface HarResponse {
  status: number
  statusText: string
  httpVersion: string
  cookies: HarCookie[]
  headers: HarNameValue[]
  content: HarContent
  redirectURL: string
  headersSize: number
  bodySize: number
  comment?: string
}

export interface HarTimingsDoc {
  blocked: number
  dns: number
  connect: number
  send: number
  wait: number
  receive: number
  ssl: number
  comment?: string
}

export interface HarEntry {
  pageref?: string
  startedDateTime: string
  time: number
  request: HarRequest
  response: HarResponse
  cache: Record<string, never>
  timings: HarTimingsDoc
  serverIPAddress?: string
  connection?: string
  comment?: string
  /** Flightdeck's own fields (HAR allows custom fields starting with an underscore). */
  _flightdeck?: {
    sid: string
    state: string
    error?: { code: string; message: string }
    /**
     * Over HTTP/2, where `headersSize` is -1 (HPACK compresses a header block on the wire, and the engine does not
     * see its compressed size): the size of the headers as text, what the timeline shows. -1 when not sent/received.
     */
    headersText?: { request: number; response: number }
  }
  /** Server-Timing entries as Chrome DevTools writes them (a missing duration is 0, as in the browser's API). */
  _serverTiming?: { name: string; dur: number; description: string }[]
  /** 1 on a stream the server pushed (HTTP/2 server push), as Chrome DevTools writes it. */
  _was_pushed?: number
  /** The W3C trace id the request went out with (its traceparent), as Flightdeck writes it. */
  _traceId?: string
}

export interface HarLog {
  version: string
  creator: { name: string; version: string; comment?: string }
  browser?: { name: string; version: string }
  pages?: unknown[]
  entries: HarEntry[]
  comment?: string
}

export interface HarDocument {
  log: HarLog
}
