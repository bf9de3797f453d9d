import type { Dispatcher } from 'undici'
import type { ExchangeInit } from './exchange-types'
import type { PreparedBody } from './request-body'

/**
 * What an exchange hands undici to dispatch: the hop's path, method, headers as they go on the wire (`headers`,
 * from request-body's wireHeaders) and body. The headers and idle timeouts are the exchange's own
 * (phase-timeouts.ts): undici's fire up to a second late.
 */
export function dispatchOptions(
  init: ExchangeInit,
  headers: string[],
  prepared: PreparedBody,
): Dispatcher.DispatchOptions {
  const { url, method } = init
  return {
    origin: init.origin,
    path: init.path ?? `${url.pathname}${url.search}`,
    method,
    headers,
    body: prepared.body,
    headersTimeout: 0,
    bodyTimeout: 0,
  }
}
