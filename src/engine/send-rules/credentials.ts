import type { HeaderList } from '../../shared/timeline'

/**
 * Headers that carry credentials. They are for the origin they were written for: a redirect to another origin,
 * or a job's poll on another origin, goes without them.
 */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization'])

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name.trim().toLowerCase())
}

/** `headers` as they may go from `from` to `to`: unchanged on the same origin, without credentials elsewhere. */
export function credentialsForOrigin(headers: HeaderList, from: string, to: string): HeaderList {
  return from === to ? headers : headers.filter(([k]) => !isCredentialHeader(k))
}
