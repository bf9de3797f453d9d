import type { RequestSpec } from '../../shared/request'

/** What a WebSocket-borne session (a WebSocket, GraphQL over WebSocket) takes from its request's options. */
export interface ConnectOptions {
  insecure?: boolean
  caFile?: string
  /** The whole opening handshake's limit: TCP, TLS and the upgrade's answer. */
  connectTimeoutMs?: number
  /** `user-agent` in it: the handshake goes without Flightdeck's User-Agent, as the request's send would. */
  omitDefaultHeaders?: NonNullable<RequestSpec['options']['omitDefaultHeaders']>
}

/**
 * The request options a WebSocket upgrade honours, those the request sets: TLS verification, the CA file (already
 * confined to its collection by whoever resolved the request), the connect timeout and the default headers it
 * leaves out. The others (redirects, body limits, decompression, HTTP/2) mean nothing to an upgrade.
 */
export function connectOptionsOf(options: RequestSpec['options']): ConnectOptions {
  const { insecure, caFile, connectTimeoutMs, omitDefaultHeaders } = options
  return {
    ...(insecure !== undefined ? { insecure } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(omitDefaultHeaders?.length ? { omitDefaultHeaders } : {}),
  }
}
