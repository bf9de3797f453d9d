/**
 * The browser host's own parts of its API socket, beyond the contract's commands: how the page proves it is
 * the page the host opened, and how it asks for a body download. Shared by the host (src/web) and its in-page
 * bridge (src/web/bridge), which may not import each other.
 *
 * The credential travels in the WebSocket handshake's `Sec-WebSocket-Protocol` list, never in a cookie:
 * cookies are scoped by host, not port, so every other server on 127.0.0.1 the browser visits would receive one.
 */

/** The subprotocol the host answers with; the page offers it first, then its credential. */
export const WEB_API_PROTOCOL = 'flightdeck'
/** `flightdeck.token.<session token>`: the per-launch token (base64url, valid in a protocol list). */
export const WEB_TOKEN_PROTOCOL_PREFIX = 'flightdeck.token.'
/** `flightdeck.launch.<code>`: a single-use launch code, traded for the token by the first frame. */
export const WEB_LAUNCH_PROTOCOL_PREFIX = 'flightdeck.launch.'

/** Sent first on a socket opened with a launch code: the token to use from then on (reloads, reconnects). */
export interface WebSessionFrame {
  kind: 'session'
  token: string
}

/**
 * A host call (answered by the host, not the engine): a single-use, short-lived URL that streams one stored
 * body as a download. Sent as an ordinary `call` frame; the reply's value is a `WebDownloadTicket`.
 */
export const WEB_DOWNLOAD_TICKET_CALL = 'web.downloadTicket'

export interface WebDownloadTicketRequest {
  bodyId: string
  /** The file name the browser should suggest. */
  name?: string
}

export interface WebDownloadTicket {
  /** Same-origin path with the ticket in its query; refused after its first use or once it expires. */
  url: string
  bytes: number
}
