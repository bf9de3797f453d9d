import type { ErrorCode } from '../../shared/result'

const TITLES: Record<ErrorCode, string> = {
  invalid_url: 'The URL is not valid',
  invalid_request: 'The request is not valid',
  dns: 'The host name could not be resolved',
  refused: 'The connection was refused',
  reset: 'The connection was reset',
  tls_self_signed: 'The certificate is self-signed',
  tls_expired: 'The certificate has expired',
  tls_hostname: 'The certificate is for another host',
  tls: 'The TLS handshake failed',
  timeout_connect: 'Timed out while connecting',
  timeout_headers: 'Timed out waiting for the response',
  timeout_idle: 'The response went quiet for too long',
  timeout_total: 'The request took longer than its total timeout',
  too_many_redirects: 'Too many redirects',
  redirect_loop: 'Redirect loop',
  body_too_large: 'The response body is too large',
  decompression_bomb: 'The response expands too much when decompressed',
  message_too_large: 'A stream message is larger than the limit',
  protocol: 'The server broke the protocol',
  file: 'A file could not be read or written',
  network: 'Network error',
  bad_payload: 'The request could not be sent as composed',
  unknown_command: 'The host does not know this command',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  internal: 'Something went wrong inside Flightdeck',
  conflict: 'The file changed on disk',
  parse: 'A file could not be parsed',
  exists: 'Something with that name already exists',
  unknown_variable: 'A variable has no value',
  auth: 'Authentication failed',
  unsupported: 'Not supported here',
  too_large: 'Too large to take in',
  file_outside: 'The file is outside the collection folder',
  grpc_status: 'The gRPC call ended with an error status',
  graphql: 'The GraphQL operation failed',
  reconnect_limit: 'Gave up reconnecting',
  cancelled: 'Cancelled',
}

/** A plain headline for an error code; the engine's message says the specifics. */
export function describeError(code: ErrorCode): string {
  return TITLES[code]
}
