import { followRedirect, type RedirectRefusal } from '../send-rules/redirect-policy'
import type { Chain, Hop } from './chain'
import type { ExchangeOutcome } from './exchange-types'

/** A hop's response that redirects, as its outcome told it. */
export type RedirectingResponse = Extract<ExchangeOutcome, { kind: 'response' }>

/** Where a redirect leads: the chain's next hop (its session id `sid`), or why it is not followed. */
export type RedirectNext =
  { ok: true; hop: Hop } | { ok: false; code: RedirectRefusal['code']; message: string }

/**
 * The hop a redirect response leads to, by the redirect policy (its Location, the request's limit, loops, the
 * credentials that stay behind on another origin); `nextSid` names it.
 */
export function hopAfterRedirect(
  chain: Chain,
  hop: Hop,
  outcome: RedirectingResponse,
  nextSid: () => string,
): RedirectNext {
  const location = outcome.headers.find(([k]) => k.toLowerCase() === 'location')?.[1] ?? ''
  const trail = { visited: (chain.visited ??= []), followed: hop.hop }
  const { maxRedirects } = chain.plan.options
  const step = followRedirect(
    hop,
    outcome.status,
    location,
    trail,
    maxRedirects,
    chain.plan.credentialHeaders,
  )
  if (!step.ok) return { ok: false, code: step.error.code, message: step.error.message }
  return {
    ok: true,
    hop: { chain, sid: nextSid(), hop: hop.hop + 1, ...step.hop, initiator: hop.sid },
  }
}
