import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'

/**
 * The auth kinds that only add a header or a query parameter. A header the person set by hand wins: an
 * explicit `Authorization` (or API-key header) in the request is never replaced.
 */

export function hasHeader(spec: RequestSpec, name: string): boolean {
  const lower = name.toLowerCase()
  return spec.headers.some((h) => h.enabled && h.name.trim().toLowerCase() === lower)
}

export function withHeader(spec: RequestSpec, name: string, value: string): RequestSpec {
  if (hasHeader(spec, name)) return spec
  return { ...spec, headers: [...spec.headers, { name, value, enabled: true }] }
}

/** `withHeader` for a header that carries a credential: it is kept to the request's origin on a redirect. */
function withCredentialHeader(spec: RequestSpec, name: string, value: string): RequestSpec {
  const withIt = withHeader(spec, name, value)
  const named = spec.credentialHeaders ?? []
  return named.includes(name) ? withIt : { ...withIt, credentialHeaders: [...named, name] }
}

export function withQueryParam(spec: RequestSpec, key: string, value: string): RequestSpec {
  const hashAt = spec.url.indexOf('#')
  const base = hashAt === -1 ? spec.url : spec.url.slice(0, hashAt)
  const hash = hashAt === -1 ? '' : spec.url.slice(hashAt)
  // A URL that already carries this very parameter (a job polled at the URL the first request was sent to,
  // key included) keeps it once.
  const queryAt = base.indexOf('?')
  if (queryAt !== -1 && new URLSearchParams(base.slice(queryAt + 1)).getAll(key).includes(value)) return spec
  const pair = `${encodeURIComponent(key)}=${encodeURIComponent(value)}`
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?'
  return { ...spec, url: `${base}${sep}${pair}${hash}` }
}

export function basicCredentials(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`
}

/** `Bearer abc`, or with a prefix of its own `Token abc` (an empty prefix is `Bearer`, as in Insomnia). */
export function bearerValue(prefix: string | undefined, token: string): string {
  return `${prefix?.trim() || 'Bearer'} ${token}`
}

/**
 * A bearer auth whose prefix is not `Bearer`, as the header it sends (`Token abc`), for formats whose bearer
 * auth has no prefix (Postman, Bruno export it as an API-key header); null for a plain bearer.
 */
export function customBearerHeader(auth: AuthSpec): string | null {
  const prefix = auth.type === 'bearer' ? (auth.prefix?.trim() ?? '') : ''
  if (auth.type !== 'bearer' || prefix === '' || prefix === 'Bearer') return null
  return bearerValue(prefix, auth.token)
}

/** Apply basic, bearer or API-key auth; other kinds are handled by the auth runner and come back unchanged. */
export function applySimpleAuth(spec: RequestSpec, auth: AuthSpec): RequestSpec {
  switch (auth.type) {
    case 'basic':
      return withHeader(spec, 'Authorization', basicCredentials(auth.username, auth.password))
    case 'bearer':
      return auth.token === ''
        ? spec
        : withHeader(spec, 'Authorization', bearerValue(auth.prefix, auth.token))
    case 'apikey':
      if (auth.key.trim() === '') return spec
      return auth.in === 'header'
        ? withCredentialHeader(spec, auth.key.trim(), auth.value)
        : withQueryParam(spec, auth.key, auth.value)
    default:
      return spec
  }
}
