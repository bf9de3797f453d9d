import { createHash, randomBytes } from 'node:crypto'

/**
 * HTTP Digest access authentication (RFC 7616, and RFC 2617's MD5 as most servers still speak it): parse a
 * `WWW-Authenticate: Digest ...` challenge and compute the `Authorization` header for one request.
 */

export interface DigestChallenge {
  realm: string
  nonce: string
  qop: string | undefined
  algorithm: string
  opaque: string | undefined
}

/** Parse the Digest challenge out of one WWW-Authenticate value (which may list several schemes). */
export function parseDigestChallenge(header: string): DigestChallenge | null {
  const at = header.search(/(^|,\s*|\s)Digest\s/i)
  if (at === -1) return null
  const rest = header.slice(header.toLowerCase().indexOf('digest', at) + 6)
  const params = new Map<string, string>()
  // A name starts only where a name does (the lookbehind): else a long run of name characters without '=' (a
  // server's header, up to 256 KiB) was tried from each of its characters, a square of its length.
  const re = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g
  for (const m of rest.matchAll(re)) {
    const key = (m[1] ?? '').toLowerCase()
    if (params.has(key)) break // the next scheme's params start here
    params.set(key, (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'))
  }
  const nonce = params.get('nonce')
  const realm = params.get('realm')
  if (nonce === undefined || realm === undefined) return null
  const qops = (params.get('qop') ?? '').split(',').map((q) => q.trim())
  return {
    realm,
    nonce,
    qop: qops.includes('auth') ? 'auth' : undefined,
    algorithm: params.get('algorithm') ?? 'MD5',
    opaque: params.get('opaque'),
  }
}

function hasher(algorithm: string): ((s: string) => string) | null {
  const base = algorithm.toUpperCase().replace(/-SESS$/, '')
  const name =
    base === 'MD5' ? 'md5' : base === 'SHA-256' ? 'sha256' : base === 'SHA-512-256' ? 'sha512-256' : null
  if (!name) return null
  return (s) => createHash(name).update(s, 'utf8').digest('hex')
}

export interface DigestInput {
  username: string
  password: string
  method: string
  /** The request-target: path and query, as sent. */
  uri: string
  nc: number
  cnonce?: string
}

export function digestAuthorization(c: DigestChallenge, input: DigestInput): string | null {
  const h = hasher(c.algorithm)
  if (!h) return null
  const cnonce = input.cnonce ?? randomBytes(8).toString('hex')
  const nc = input.nc.toString(16).padStart(8, '0')
  let ha1 = h(`${input.username}:${c.realm}:${input.password}`)
  if (/-sess$/i.test(c.algorithm)) ha1 = h(`${ha1}:${c.nonce}:${cnonce}`)
  const ha2 = h(`${input.method}:${input.uri}`)
  const response = c.qop
    ? h(`${ha1}:${c.nonce}:${nc}:${cnonce}:${c.qop}:${ha2}`)
    : h(`${ha1}:${c.nonce}:${ha2}`)
  const q = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`
  const parts = [
    `username=${q(input.username)}`,
    `realm=${q(c.realm)}`,
    `nonce=${q(c.nonce)}`,
    `uri=${q(input.uri)}`,
    `algorithm=${c.algorithm}`,
    `response=${q(response)}`,
  ]
  if (c.qop) parts.push(`qop=${c.qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`)
  if (c.opaque !== undefined) parts.push(`opaque=${q(c.opaque)}`)
  return `Digest ${parts.join(', ')}`
}
