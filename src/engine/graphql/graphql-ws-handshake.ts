import type { ClientRequest } from 'node:http'
import type { ClientOptions } from 'ws'
import { MAX_RESPONSE_HEADER_BYTES } from '../http/errors'
import type { WsFailure } from '../ws/ws-errors'
import type { AttemptOutcome } from './graphql-ws-close'
import type { GraphqlWsOptions } from './graphql-ws-options'

/**
 * A GraphQL WebSocket's handshake: the upgrade request's headers and `ws` options, and the ways the upgrade
 * and connection_init fail before the conversation starts (a refused upgrade, no GraphQL subprotocol, no ack).
 */

/** `ws` hands its options on to http.request, which takes maxHeaderSize (its types do not list it). */
export type UpgradeOptions = ClientOptions & { maxHeaderSize: number }

export function upgradeOptions(u: {
  options: GraphqlWsOptions
  headers: Record<string, string>
  ca: string | undefined
  createConnection: ClientOptions['createConnection']
  finishRequest: (req: ClientRequest) => void
}): UpgradeOptions {
  const opts = u.options
  return {
    headers: u.headers,
    handshakeTimeout: opts.connectTimeoutMs,
    // Node's parser reads 16 KB of headers by default; an upgrade answer may carry as much as any response.
    maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
    maxPayload: opts.maxMessageBytes,
    perMessageDeflate: false,
    rejectUnauthorized: !opts.insecure,
    ...(u.ca ? { ca: u.ca } : {}),
    followRedirects: false,
    autoPong: true,
    createConnection: u.createConnection,
    finishRequest: u.finishRequest,
  }
}

/** The server answered the upgrade with something other than 101. */
export function refusedUpgrade(status: number, statusMessage: string | undefined): WsFailure {
  return {
    code: 'protocol',
    message:
      `The server answered ${status} ${statusMessage ?? ''}`.trim() +
      ' instead of switching to a GraphQL WebSocket (101)',
  }
}

/** `ws` refuses a subprotocol we did not offer; none at all leaves us not knowing what to speak. */
export function noSubprotocol(offered: readonly string[]): AttemptOutcome {
  return {
    reason: `The server accepted the WebSocket without a GraphQL subprotocol (offered: ${offered.join(', ')})`,
    error: {
      code: 'protocol',
      message: `The server accepted the WebSocket without choosing a GraphQL subprotocol (offered: ${offered.join(', ')})`,
    },
    reconnectable: false,
    by: 'client',
  }
}

export function ackTimedOut(ackTimeoutMs: number): AttemptOutcome {
  return {
    reason: `The server did not acknowledge the connection within ${ackTimeoutMs} ms`,
    error: {
      code: 'timeout_headers',
      message: `The server did not acknowledge connection_init within ${ackTimeoutMs} ms`,
    },
    reconnectable: true,
    by: 'client',
  }
}
