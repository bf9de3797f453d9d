import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, relative, resolve, sep } from 'node:path'
import { WEB_API_PATH } from '../shared/contract'
import { pageFiles, pageScriptSources, withPageScriptSources } from '../shared/renderer-csp'

/** Static file serving for the built renderer: content types, a traversal-proof resolver, the bridge injection. */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps a URL path to a file inside `root`, or null. Decoding happens once, and the resolved path must stay
 * inside root, so `..`, encoded `%2e%2e`, backslashes and absolute paths cannot escape it.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const base = resolve(root)
  const target = resolve(base, '.' + (decoded.startsWith('/') ? decoded : '/' + decoded))
  if (target !== base && !target.startsWith(base + sep)) return null
  return target
}

/**
 * The file a URL path names, if it is one the built page loads (its entry, the chunks its import map pins, its
 * stylesheet: exactly the names in index.html), else null. Nothing else in the build's folder is served: not a
 * stale chunk of an earlier build, not a source map, not a file someone dropped there.
 */
export async function pageFile(root: string, urlPath: string): Promise<string | null> {
  const target = resolveStaticPath(root, urlPath)
  if (!target) return null
  const html = await readRegularFile(join(root, 'index.html'))
  if (!html) return null
  const rel = relative(resolve(root), target).split(sep).join('/')
  return pageFiles(html.toString('utf8')).has(rel) ? target : null
}

export async function readRegularFile(path: string): Promise<Buffer | null> {
  try {
    const info = await stat(path)
    if (!info.isFile()) return null
    return await readFile(path)
  } catch {
    return null
  }
}

/** The SHA-256 hash source a CSP needs to allow one inline script with exactly this text. */
export function cspHash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`
}

export interface ServedPage {
  html: string
  /** The `script-src` the response's CSP header must carry: the page's own, with the bridge's hash added. */
  scriptSources: string[]
}

/**
 * The page as the browser host serves it: the bridge inlined before the first module script (a classic script
 * without defer runs as the parser reaches it, and module scripts run after parsing, so `window.api` exists
 * before the renderer's code starts), and the bridge's hash added to the page's CSP meta, so the policy the
 * build pinned (the renderer by hash, nothing else) still holds with exactly one more script allowed. The
 * bridge learns the API path from its own tag, so it needs no runtime import of the contract.
 */
export function servePage(html: string, bridgeCode: string): ServedPage {
  const code = bridgeCode
    .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')
    // `</script` or `<!--` inside the code would end or confuse the element; \x3C is the same `<` to JS.
    .replace(/<(\/script|!--)/gi, '\\x3C$1')
  const hash = cspHash(code)
  const tag = `<script data-api-path="${WEB_API_PATH}">${code}</script>`
  const moduleScript = /<script\b[^>]*\btype\s*=\s*["']?module["']?[^>]*>/i.exec(html)
  const headEnd = html.search(/<\/head>/i)
  const at = moduleScript ? moduleScript.index : headEnd >= 0 ? headEnd : 0
  let page = html.slice(0, at) + tag + html.slice(at)
  const own = pageScriptSources(page)
  const scriptSources = own ? [...own, hash] : ["'self'", hash]
  if (own) page = withPageScriptSources(page, scriptSources)
  return { html: page, scriptSources }
}
