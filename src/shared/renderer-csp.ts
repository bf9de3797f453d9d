/**
 * The renderer's Content-Security-Policy lives in one place: the `<meta http-equiv>` of its index.html. The
 * build pins the one inline script there by hash (scripts/renderer-csp-plugin.ts); the hosts read the same
 * script sources back so the header they send says exactly what the page says (src/engine/hosts/page-csp.ts,
 * src/web/static-files.ts). Pure string work, so the build, the hosts and the tests share it.
 */

/** What the source index.html says until the build knows the bundle's hash: a hash nothing matches. */
export const PENDING_SCRIPT_HASH = "'sha256-pending-renderer-bundle'"

const META_RE = /<meta\b[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>/i
const CONTENT_RE = /\bcontent\s*=\s*"([^"]*)"/i

/** The policy text of the page's CSP meta, or null when it has none. */
export function metaPolicy(html: string): string | null {
  const meta = META_RE.exec(html)
  if (!meta) return null
  const content = CONTENT_RE.exec(meta[0])
  return content ? (content[1] ?? null) : null
}

/** The sources of one directive in a policy text, or null when the directive is absent. */
export function directiveSources(policy: string, name: string): string[] | null {
  for (const part of policy.split(';')) {
    const [directive, ...sources] = part.trim().split(/\s+/)
    if (directive && directive.toLowerCase() === name) return sources
  }
  return null
}

/** The page's `script-src` sources from its CSP meta, or null when it has no meta or no such directive. */
export function pageScriptSources(html: string): string[] | null {
  const policy = metaPolicy(html)
  return policy === null ? null : directiveSources(policy, 'script-src')
}

/** The page with its CSP meta's `script-src` replaced by `sources`. Throws when the page has no such directive. */
export function withPageScriptSources(html: string, sources: readonly string[]): string {
  const meta = META_RE.exec(html)
  const content = meta ? CONTENT_RE.exec(meta[0]) : null
  if (!meta || !content || content[1] === undefined)
    throw new Error('index.html has no Content-Security-Policy meta')
  const policy = content[1]
  if (directiveSources(policy, 'script-src') === null) throw new Error("the page's CSP has no script-src")
  const next = policy
    .split(';')
    .map((part) =>
      /^\s*script-src(\s|$)/i.test(part)
        ? `${/^\s*/.exec(part)?.[0] ?? ''}script-src ${sources.join(' ')}`
        : part,
    )
    .join(';')
  const newMeta = meta[0].replace(content[0], `content="${next}"`)
  return html.slice(0, meta.index) + newMeta + html.slice(meta.index + meta[0].length)
}

/** The text of every inline `<script>` (one without `src`), in document order. */
export function inlineScripts(html: string): string[] {
  const out: string[] = []
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (!/\bsrc\s*=/i.test(m[1] ?? '')) out.push(m[2] ?? '')
  }
  return out
}

/** The `src` of every external `<script>`, in document order. */
export function externalScripts(html: string): string[] {
  const out: string[] = []
  const re = /<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)[^>]*>/gi
  for (let m = re.exec(html); m; m = re.exec(html)) out.push(m[1] ?? '')
  return out
}

/** The page-relative path of a URL the page names (`./assets/a.js`, `/assets/a.js`, `assets/a.js`: `assets/a.js`). */
export function pagePath(url: string): string {
  return url.replace(/^\.?\/+/, '')
}

/** The `integrity` section of the page's inline import map (URL as written to its hash), or {} without one. */
export function importMapIntegrity(html: string): Record<string, string> {
  const re = /<script\b[^>]*\btype\s*=\s*["']?importmap["']?[^>]*>([\s\S]*?)<\/script\s*>/i
  const map = re.exec(html)
  if (!map) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(map[1] ?? '')
  } catch {
    return {}
  }
  const integrity =
    parsed && typeof parsed === 'object' ? (parsed as { integrity?: unknown }).integrity : undefined
  if (!integrity || typeof integrity !== 'object') return {}
  const out: Record<string, string> = {}
  for (const [url, hash] of Object.entries(integrity)) if (typeof hash === 'string') out[url] = hash
  return out
}

/** The `href` of every `<link rel="stylesheet">`, in document order. */
export function stylesheetLinks(html: string): string[] {
  const out: string[] = []
  const re = /<link\b[^>]*>/gi
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (!/\brel\s*=\s*["']?stylesheet["'\s>]/i.test(m[0])) continue
    const href = /\bhref\s*=\s*["']?([^"'\s>]+)/i.exec(m[0])
    if (href?.[1]) out.push(href[1])
  }
  return out
}

/**
 * Every file the built page may load besides itself, as page-relative paths: its external scripts, the chunks
 * its import map pins and its stylesheets. The browser host serves these and nothing else from the build.
 */
export function pageFiles(html: string): Set<string> {
  return new Set(
    [...externalScripts(html), ...Object.keys(importMapIntegrity(html)), ...stylesheetLinks(html)]
      .filter((url) => !/^[a-z][a-z0-9+.-]*:/i.test(url))
      .map(pagePath),
  )
}
