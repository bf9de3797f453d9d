import type { SavedMessage } from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
import { arr, isObj, str } from './plan'

/**
 * A browser's record of a WebSocket in a HAR: the upgrade request (a `ws:`/`wss:` URL, Chrome's
 * `_resourceType: "websocket"`, an `Upgrade: websocket` header, or a `Sec-WebSocket-Version` header, which an
 * HTTP/2 handshake's CONNECT carries without an Upgrade) with Chrome's `_webSocketMessages`
 * (`{ type: "send" | "receive", opcode, data }`). It becomes a WebSocket request: the headers the handshake
 * makes anew (a recorded Sec-WebSocket-Key would fail the server's check) are left out, the offered
 * subprotocols become its protocols and the text messages the page sent its saved messages, in order. What it
 * cannot keep (received messages, binary ones, past the request's 1,000) is counted in the report.
 */

/** Headers of one handshake: the engine's WebSocket client writes its own. */
const HANDSHAKE = new Set([
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'upgrade',
])

/** A request file holds at most this many messages; a message at most 16 MiB. */
const MAX_MESSAGES = 1000
const MAX_MESSAGE_CHARS = 16 * 1024 * 1024

export function isWebSocketEntry(
  entry: Record<string, unknown>,
  url: URL,
  headers: readonly KeyValue[],
): boolean {
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return true
  if (entry['_resourceType'] === 'websocket') return true
  // Over HTTP/2 (RFC 8441, as Firefox opens one where the server allows it) the handshake is a CONNECT with no
  // Upgrade header; every WebSocket handshake, over either, carries Sec-WebSocket-Version.
  return headers.some(
    (h) =>
      (h.name.toLowerCase() === 'upgrade' && /^\s*websocket\s*$/i.test(h.value)) ||
      h.name.toLowerCase() === 'sec-websocket-version',
  )
}

export interface HarWebSocket {
  url: string
  headers: KeyValue[]
  protocols: string[]
  messages: SavedMessage[]
  /** What the report says about it ('' for nothing left out). */
  note: string
}

export function harWebSocket(
  entry: Record<string, unknown>,
  url: URL,
  recorded: readonly KeyValue[],
  secretText: (text: string, label: string) => string,
): HarWebSocket {
  const ws = new URL(url.href)
  if (ws.protocol === 'http:') ws.protocol = 'ws:'
  if (ws.protocol === 'https:') ws.protocol = 'wss:'
  const protocols = recorded
    .filter((h) => h.name.toLowerCase() === 'sec-websocket-protocol')
    .flatMap((h) => h.value.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .slice(0, 64)
  // A subprotocol is an HTTP token, which has no braces: one with `{{` would be read as a variable.
  const braced = protocols.filter((p) => p.includes('{{')).length
  const messages: SavedMessage[] = []
  let received = 0
  let binary = 0
  let past = 0
  let large = 0
  for (const m of arr(entry['_webSocketMessages']).filter(isObj)) {
    if (m['type'] !== 'send') {
      received++
      continue
    }
    // Opcode 1 is text; Chrome writes a binary message's bytes as base64, which a text message cannot say.
    if (m['opcode'] !== undefined && Number(m['opcode']) !== 1) {
      binary++
      continue
    }
    const data = str(m['data'])
    if (data.length > MAX_MESSAGE_CHARS) large++
    else if (messages.length >= MAX_MESSAGES) past++
    else {
      const name = `message ${messages.length + 1}`
      messages.push({ name, text: secretText(data, name) })
    }
  }
  const left = [
    received > 0 ? `${received} received message${received > 1 ? 's' : ''}` : '',
    binary > 0 ? `${binary} binary message${binary > 1 ? 's' : ''} it sent` : '',
    past > 0 ? `${past} sent past the first ${MAX_MESSAGES}` : '',
    large > 0 ? `${large} sent message${large > 1 ? 's' : ''} over 16 MiB` : '',
    braced > 0 ? `${braced} subprotocol${braced > 1 ? 's' : ''} with "{{" (no HTTP token)` : '',
  ].filter((s) => s !== '')
  const kept =
    messages.length > 0
      ? ` with the ${messages.length} text message${messages.length > 1 ? 's' : ''} it sent (send them from its stream)`
      : ''
  return {
    url: ws.href,
    headers: recorded.filter((h) => !HANDSHAKE.has(h.name.toLowerCase())),
    protocols: protocols.filter((p) => !p.includes('{{')),
    messages,
    note: `a WebSocket: imported as a WebSocket request${kept}${left.length > 0 ? `; not imported: ${left.join(', ')}` : ''}`,
  }
}
