import type { RequestKind } from '../../shared/collection'

/**
 * The method a request tab shows: WS for a WebSocket request (its GET is only the handshake), the real
 * method for HTTP and SSE (an event stream may well be a POST), GQL for GraphQL (its transport is its own).
 */
export function tabMethodLabel(kind: RequestKind, method: string): string {
  if (kind === 'graphql') return 'GQL'
  if (kind === 'grpc') return 'gRPC'
  return kind === 'ws' ? 'WS' : method.trim().toUpperCase() || 'GET'
}
