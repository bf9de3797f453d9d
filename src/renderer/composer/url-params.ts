import type { KeyValue } from '../../shared/request'

/**
 * The URL is the source of truth for the query string (see src/shared/request.ts); the params table is a view
 * of it. These helpers work on the text the person typed, not on `new URL()`, because a URL being typed is
 * often not a valid URL yet ("localhost:3000/a?b", later "{{base}}/x") and must survive a round trip as typed.
 *
 * Table values are shown decoded; writing the table back encodes only what would otherwise change the
 * query's structure (`%`, `&`, `#`, `=` in names, whitespace, control characters). `+` is left as typed, so a
 * server that reads it as a space reads the same thing before and after a table edit.
 */

export interface UrlParts {
  /** Everything before `?` (or before `#` when there is no query). */
  base: string
  /** The query without its leading `?`; null when the URL has no `?` at all. */
  query: string | null
  /** The fragment including its leading `#`, or ''. */
  hash: string
}

export function splitUrl(url: string): UrlParts {
  const hashAt = url.indexOf('#')
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt)
  const hash = hashAt === -1 ? '' : url.slice(hashAt)
  const q = beforeHash.indexOf('?')
  if (q === -1) return { base: beforeHash, query: null, hash }
  return { base: beforeHash.slice(0, q), query: beforeHash.slice(q + 1), hash }
}

/** Decode %XX runs that form valid UTF-8; leave anything malformed as typed. */
export function decodeComponent(text: string): string {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
  }
}

function encodeWith(text: string, alsoEncode: (ch: string) => boolean): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (ch === '%' || ch === '&' || ch === '#' || code <= 0x20 || code === 0x7f || alsoEncode(ch)) {
      out += encodeURIComponent(ch).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      )
    } else {
      out += ch
    }
  }
  return out
}

export function encodeParamName(name: string): string {
  return encodeWith(name, (ch) => ch === '=')
}

export function encodeParamValue(value: string): string {
  return encodeWith(value, () => false)
}

/** `a=1&b=&c` -> [a=1, b='', c='']; empty pieces (`a=1&&b=2`, trailing `&`) are skipped. */
export function parseQuery(query: string | null): KeyValue[] {
  if (query === null || query === '') return []
  const out: KeyValue[] = []
  for (const piece of query.split('&')) {
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const rawName = eq === -1 ? piece : piece.slice(0, eq)
    const rawValue = eq === -1 ? '' : piece.slice(eq + 1)
    out.push({ name: decodeComponent(rawName), value: decodeComponent(rawValue), enabled: true })
  }
  return out
}

/** A row that the URL cannot show: disabled, or a blank row just added to the table. */
function isTableOnly(p: KeyValue): boolean {
  return !p.enabled || (p.name === '' && p.value === '')
}

export function buildQuery(params: readonly KeyValue[]): string {
  return params
    .filter((p) => !isTableOnly(p))
    .map((p) =>
      p.value === '' ? encodeParamName(p.name) : `${encodeParamName(p.name)}=${encodeParamValue(p.value)}`,
    )
    .join('&')
}

/** The params table for a URL the person just edited, keeping rows the URL cannot show where they were. */
export function paramsFromUrl(url: string, previous: readonly KeyValue[] = []): KeyValue[] {
  const fromUrl = parseQuery(splitUrl(url).query)
  const out = [...fromUrl]
  previous.forEach((p, index) => {
    if (isTableOnly(p)) out.splice(Math.min(index, out.length), 0, p)
  })
  return out
}

/** The URL after the person edited the params table: base and fragment kept as typed, query rebuilt. */
export function urlWithParams(url: string, params: readonly KeyValue[]): string {
  const { base, query, hash } = splitUrl(url)
  const built = buildQuery(params)
  if (built === '') {
    // Keep a bare `?` the person typed only while the table is still empty of real rows.
    return query !== null && query === '' ? `${base}?${hash}` : `${base}${hash}`
  }
  return `${base}?${built}${hash}`
}
