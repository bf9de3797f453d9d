import type { RequestKind } from '../../shared/collection'

/**
 * The method a request tab shows: WS for a WebSocket request (its GET is only the handshake), the real
 * method for HTTP and SSE (an event stream may well be a POST), GQL for GraphQL (its transport is its own),
 * MQTT and SIO for messaging sessions (a method means nothing to them).
 */
export function tabMethodLabel(kind: RequestKind, method: string): string {
  if (kind === 'graphql') return 'GQL'
  if (kind === 'grpc') return 'gRPC'
  if (kind === 'mqtt') return 'MQTT'
  if (kind === 'socketio') return 'SIO'
  return kind === 'ws' ? 'WS' : method.trim().toUpperCase() || 'GET'
}
