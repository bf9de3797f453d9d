import type { RequestOptions } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'
import type { HeaderList } from '../../shared/timeline'
import { VERSION } from '../version'

/**
 * The headers a WebSocket handshake writes itself, checked on what a person typed before anything is sent. `ws`
 * puts its own Connection, Upgrade, Sec-WebSocket-Key, -Version and -Extensions over a person's without a word,
 * and sends Keep-Alive, Transfer-Encoding and Content-Length as typed: a chunked upgrade request ends with
 * `0\r\n\r\n`, which the server reads as a WebSocket frame (a Node `ws` server threw on it). Each is refused,
 * naming the header, as HTTP's checkFraming refuses what undici writes itself.
 *
 * `Sec-WebSocket-Protocol` is a person's to set (servers ask for a subprotocol, some carry a token in it): a plain
 * WebSocket offers its values with the request's subprotocols, as Insomnia does; `ws` replaced the header with the
 * subprotocol list, or, with no list, failed when the server chose one ('Server sent a subprotocol but none was
 * requested'). A GraphQL WebSocket's subprotocols are its transport's, so there the header is refused.
 */

/** Which session's handshake: the words name it, and a GraphQL WebSocket owns its subprotocols. */
export type HandshakeOwner = 'websocket' | 'graphql-ws' | 'socketio'

const OWNER_WORDS: Record<HandshakeOwner, string> = {
  websocket: 'the WebSocket handshake',
  'graphql-ws': 'the GraphQL WebSocket handshake',
  socketio: "Socket.IO's client (its polls and its WebSocket handshake)",
}

/** A subprotocol is an HTTP token (RFC 6455 4.1); `ws` throws on any other, or on one offered twice. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function refusal(name: string, owner: HandshakeOwner): string | undefined {
  const who = OWNER_WORDS[owner]
  switch (name) {
    case 'connection':
    case 'upgrade':
      return `cannot be set: ${who} writes "Connection: Upgrade" and "Upgrade: websocket" itself. Remove it`
    case 'keep-alive':
      return `cannot be sent: the connection is ${who}'s to keep (a WebSocket stays open until it is closed). Remove it`
    case 'transfer-encoding':
    case 'content-length':
      return owner === 'socketio'
        ? `cannot be set: ${who} frames its requests itself. Remove it`
        : `cannot be set: the upgrade request has no body (the bytes after its headers are read as WebSocket frames). Remove it`
    case 'sec-websocket-key':
    case 'sec-websocket-version':
      return `cannot be set: ${who} makes a new key for each connection and sends version 13, and checks the server's answer against them. Remove it`
    case 'sec-websocket-extensions':
      return `cannot be set: the WebSocket client offers only the extensions it speaks (one it does not, accepted by the server, would end the connection). Remove it`
    case 'sec-websocket-protocol':
      return owner === 'graphql-ws'
        ? `cannot be set: a GraphQL WebSocket offers its transport's subprotocols (graphql-transport-ws, graphql-ws); choose the transport instead. Remove it`
        : undefined
    default:
      return undefined
  }
}

/** The first header the handshake writes itself, refused in words; ok when there is none. */
export function checkHandshakeHeaders(headers: HeaderList, owner: HandshakeOwner): Result<void> {
  for (const [name] of headers) {
    const why = refusal(name.toLowerCase(), owner)
    if (why) return fail('invalid_request', `Header "${name}" ${why}`)
  }
  return ok(undefined)
}

/**
 * A plain WebSocket's handshake: the headers checked, and the subprotocols to offer, the request's first and then
 * those its `Sec-WebSocket-Protocol` headers list (each once), the header taken out so `ws` writes the one list.
 */
export function webSocketHandshake(
  headers: HeaderList,
  protocols: readonly string[],
): Result<{ headers: HeaderList; protocols: string[] }> {
  const checked = checkHandshakeHeaders(headers, 'websocket')
  if (!checked.ok) return checked
  const offered = new Set(protocols)
  const kept: HeaderList = []
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'sec-websocket-protocol') {
      kept.push([name, value])
      continue
    }
    for (const part of value.split(',')) {
      const p = part.trim()
      if (!p) continue
      if (!TOKEN.test(p))
        return fail(
          'invalid_request',
          `Header "${name}" offers "${p.slice(0, 100)}", which is not a subprotocol name (an HTTP token: no spaces, quotes or separators)`,
        )
      offered.add(p)
    }
  }
  return ok({ headers: kept, protocols: [...offered] })
}

/**
 * The handshake's headers as one value each (lowercase names; a name typed twice joined with ", "), with
 * Flightdeck's User-Agent unless the request set one or its `omitDefaultHeaders` leaves it out, as a send's and
 * an SSE request's are: a server that tells clients apart by it sees the same request from every tab.
 */
export function handshakeHeaderRecord(
  headers: HeaderList,
  omit: RequestOptions['omitDefaultHeaders'],
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of headers) {
    const key = k.toLowerCase()
    out[key] = out[key] === undefined ? v : `${out[key]}, ${v}`
  }
  if (!omit?.includes('user-agent')) out['user-agent'] ??= `Flightdeck/${VERSION}`
  return out
}
