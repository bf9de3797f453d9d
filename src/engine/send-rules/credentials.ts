import type { HeaderList } from '../../shared/timeline'

/**
 * Headers that carry credentials. They are for the origin they were written for: a redirect to another origin,
 * or a job's poll on another origin, goes without them.
 */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization'])

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name.trim().toLowerCase())
}

/**
 * `headers` as they may go from `from` to `to`: unchanged on the same origin, without credentials elsewhere
 * (the standard ones and the request's own `credentialHeaders`, an API-key auth's header).
 */
export function credentialsForOrigin(
  headers: HeaderList,
  from: string,
  to: string,
  credentialHeaders: readonly string[] = [],
): HeaderList {
  if (from === to) return headers
  const own = new Set(credentialHeaders.map((name) => name.trim().toLowerCase()))
  return headers.filter(([k]) => !isCredentialHeader(k) && !own.has(k.trim().toLowerCase()))
}
