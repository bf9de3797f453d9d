import type { RequestKind } from '../../shared/collection'

/**
 * The method a request tab shows: WS for a WebSocket request (its GET is only the handshake), the real
 * method for HTTP and SSE (an event stream may well be a POST).
 */
export function tabMethodLabel(kind: RequestKind, method: string): string {
  return kind === 'ws' ? 'WS' : method.trim().toUpperCase() || 'GET'
}
