import * as grpc from '@grpc/grpc-js'
import { grpcStatusText } from '../../shared/grpc'
import { fail, ok, type Result } from '../../shared/result'

/**
 * How long a new channel may take to become READY (TCP, TLS and the HTTP/2 preface and SETTINGS) when the request
 * does not say, as grpcurl's `-connect-timeout`: a peer that accepts the connection and never speaks HTTP/2 would
 * hold the call for ever.
 */
export const GRPC_CONNECT_TIMEOUT_MS = 10_000

/** A channel that did not come up in time, in words: where, how long, and the two usual reasons. */
export function noConnectionWords(host: string, port: number, limitMs: number): string {
  const within = limitMs % 1000 === 0 ? `${limitMs / 1000} s` : `${limitMs} ms`
  return `No HTTP/2 connection to ${host}:${port} within ${within}: the server did not complete the handshake (is it a gRPC server, and does it want TLS?)`
}

/**
 * Waits until the client's channel has either come up or failed before a call that cannot show its own connect
 * (server reflection): a peer that accepts TCP and never speaks HTTP/2 ends at the connect timeout in the words a
 * call's connect uses, not at the reflection's deadline in grpc-js' ("Deadline exceeded … Waiting for LB pick").
 * A channel that failed (refused, a certificate not trusted) is left to the call, which fails at once with the reason.
 */
export function waitForChannel(
  client: grpc.Client,
  where: { host: string; port: number },
  limitMs: number,
): Promise<Result<void>> {
  const channel = client.getChannel()
  const deadline = Date.now() + limitMs
  return new Promise((resolve) => {
    const check = (): void => {
      const state = channel.getConnectivityState(true)
      const { CONNECTING, IDLE } = grpc.connectivityState
      if (state !== CONNECTING && state !== IDLE) return resolve(ok(undefined))
      if (Date.now() >= deadline) {
        const words = noConnectionWords(where.host, where.port, limitMs)
        // 14: UNAVAILABLE, as a call whose connect timed out reports it.
        return resolve(fail('timeout_connect', grpcStatusText(14, words)))
      }
      // Called back on the next change of state, or at the deadline with none.
      channel.watchConnectivityState(state, deadline, () => check())
    }
    check()
  })
}
