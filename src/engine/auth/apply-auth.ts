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

/**
 * The URL with `key=value` in its query. A parameter of that name already there is taken out first, so the
 * value is sent once: a URL typed with an old `access_token`, or a job polled at the URL its first request was
 * sent to after the token was renewed, would otherwise carry two, and a server reading the first gets the stale
 * one. The other parameters keep their bytes.
 */
export function withQueryParam(spec: RequestSpec, key: string, value: string): RequestSpec {
  const hashAt = spec.url.indexOf('#')
  const base = hashAt === -1 ? spec.url : spec.url.slice(0, hashAt)
  const hash = hashAt === -1 ? '' : spec.url.slice(hashAt)
  const queryAt = base.indexOf('?')
  const path = queryAt === -1 ? base : base.slice(0, queryAt)
  const others =
    queryAt === -1
      ? []
      : base
          .slice(queryAt + 1)
          .split('&')
          .filter((p) => p !== '' && nameOf(p) !== key)
  const pair = `${encodeURIComponent(key)}=${encodeURIComponent(value)}`
  return { ...spec, url: `${path}?${[...others, pair].join('&')}${hash}` }
}

/** A query parameter's name as a server reads it (`a+b%21=…` is `a b!`); undecodable, as written. */
function nameOf(param: string): string {
  const raw = param.split('=', 1)[0] ?? ''
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return raw
  }
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
