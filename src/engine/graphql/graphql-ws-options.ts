import type { RequestOptions } from '../../shared/request'

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
  /** A PEM file of the certificate authorities to trust (in place of the system's), as a request's `caFile`. */
  caFile?: string
  /** The request's `omitDefaultHeaders`: the upgrade's own User-Agent is left out when it lists `user-agent`. */
  omitDefaultHeaders?: RequestOptions['omitDefaultHeaders']
  /**
   * Run the operation over an open connection to the same URL with the same subprotocols, headers and connection
   * params when there is one (graphql-ws-mux.ts), as Apollo Client and Altair do; off: a connection of its own.
   * A request that asks to reconnect always has its own.
   */
  shareConnection: boolean
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
  shareConnection: false,
}
