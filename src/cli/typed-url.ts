/**
 * The URL a one-off command's positional argument names, read as the engine reads a URL (request-checks.ts,
 * shared/url-schemes.ts): a scheme typed before a slash or a backslash counts as typed (`http:/host`,
 * `ws:\\host`, `mqtt:/host`), as URL parsers read it, so it is never taken for a host named `http`.
 */
const TYPED_SCHEME = /^([a-z][a-z0-9+.-]*):[/\\]/i

/** The schemes whose URLs the WHATWG parser reads with a host after any run of slashes and backslashes. */
const SPECIAL = new Set(['http', 'https', 'ws', 'wss'])

/**
 * `target` with its typed scheme, or `fallback://` in front when none is typed; null when the typed scheme is not
 * one of `schemes`. An http(s) or ws(s) URL typed with one slash or backslashes is given as the parser reads it
 * (`http:/h/x` is `http://h/x`); another scheme's (`mqtt:/h`) is left as typed, for the engine to refuse as
 * naming no host.
 */
export function commandUrl(target: string, fallback: string, schemes: readonly string[]): string | null {
  const typed = TYPED_SCHEME.exec(target)?.[1]?.toLowerCase()
  if (typed === undefined) return `${fallback}://${target}`
  if (!schemes.includes(typed)) return null
  if (!SPECIAL.has(typed) || target.slice(typed.length, typed.length + 3) === '://') return target
  try {
    return new URL(target).href
  } catch {
    return target
  }
}
