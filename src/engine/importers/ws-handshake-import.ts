import type { KeyValue } from '../../shared/request'

/**
 * Headers a WebSocket's handshake writes itself (Connection, Upgrade, Sec-WebSocket-Key, -Version, -Extensions,
 * -Accept) and framing headers an upgrade request cannot carry (Keep-Alive, Transfer-Encoding, Content-Length),
 * as someone copies them from a browser's DevTools into Insomnia's or Yaak's WebSocket request. Their clients
 * write their own Connection, Upgrade, key and version; Flightdeck refuses such a header at Connect, so the
 * import leaves them out (switched off or not) and names them. Sec-WebSocket-Protocol is the person's to set.
 */
const WRITTEN_BY_HANDSHAKE = new Set([
  'connection',
  'upgrade',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-accept',
])

export function withoutHandshakeHeaders(
  headers: KeyValue[],
  where: string,
  note: (line: string) => void,
): KeyValue[] {
  const dropped = headers.filter((h) => WRITTEN_BY_HANDSHAKE.has(h.name.trim().toLowerCase()))
  if (dropped.length === 0) return headers
  const names = [...new Set(dropped.map((h) => h.name.trim()))]
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '')
  note(
    `${where}: WebSocket header${names.length > 1 ? 's' : ''} ${shown} left out: the handshake writes ${names.length > 1 ? 'them' : 'it'} itself (a new key for each connection)`,
  )
  return headers.filter((h) => !dropped.includes(h))
}
