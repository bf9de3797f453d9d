/** How a GraphQL WebSocket session connects, waits and reconnects (graphql-ws-session.ts). */
export interface GraphqlWsOptions {
  reconnect: boolean
  maxRetries: number
  backoffMs: number
  maxBackoffMs: number
  maxMessageBytes: number
  connectTimeoutMs: number
  /** How long the server may take to acknowledge connection_init. */
  ackTimeoutMs: number
  insecure: boolean
}

export const DEFAULT_GRAPHQL_WS_OPTIONS: GraphqlWsOptions = {
  reconnect: false,
  maxRetries: 5,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  maxMessageBytes: 16 * 1024 * 1024,
  connectTimeoutMs: 10_000,
  ackTimeoutMs: 10_000,
  insecure: false,
}
