import { createHash } from 'node:crypto'
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
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
 * The path of a request target exactly as sent, without its query; null for anything but origin-form (`/...`).
 * No decoding and no normalising: a static file is named by the one spelling the page itself uses, so
 * `/assets/a.js/`, `//assets/a.js`, `/assets/./a.js`, `%2e`, `%2F`, backslashes and case variants name
 * nothing. The query is dropped (the page's own address carries `?token=`, and a query names no file).
 */
export function targetPath(target: string): string | null {
  if (!target.startsWith('/')) return null
  const query = target.indexOf('?')
  return query < 0 ? target : target.slice(0, query)
}

/**
 * Rollup's `[name]-[hash]` file names (Vite's default for every emitted asset: 8 characters of base64url).
 * Such a name changes whenever its bytes do, so a browser may keep it for good; any other name may not.
 */
const CONTENT_HASHED = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/

export function isContentHashed(name: string): boolean {
  return CONTENT_HASHED.test(name)
}

/** A file under the renderer folder, read only when its real path is inside that folder. */
export type InsideFile =
  | { kind: 'file'; name: string; body: Buffer }
  | { kind: 'missing' }
  /** Its real path (after links) is outside the renderer folder: refused. */
  | { kind: 'outside'; name: string; realPath: string }

/** What the host answers for a static file: its bytes and whether its name carries its content hash. */
export type PageFileResult =
  Exclude<InsideFile, { kind: 'file' }> | (InsideFile & { kind: 'file'; contentHashed: boolean })

/**
 * The file a request path names, if it is one the built page loads (its entry, the chunks its import map pins,
 * its stylesheet: exactly the names in index.html, spelt as index.html spells them), else missing. Nothing else
 * in the build's folder is served: not a stale chunk of an earlier build, not a source map, not a file someone
 * dropped there, and not a named file that is a link out of the folder.
 */
export async function pageFile(root: string, path: string): Promise<PageFileResult> {
  const html = await readInside(root, 'index.html')
  if (html.kind !== 'file') return html
  const name = path.slice(1)
  if (!path.startsWith('/') || !pageFiles(html.body.toString('utf8')).has(name)) return { kind: 'missing' }
  const found = await readInside(root, name)
  return found.kind === 'file' ? { ...found, contentHashed: isContentHashed(name) } : found
}

/**
 * A regular file under `root` by its page-relative name, read only if its real path (links resolved) is inside
 * root's real path: a link planted in the build folder cannot hand out a file from elsewhere.
 */
export async function readInside(root: string, name: string): Promise<InsideFile> {
  const target = resolveStaticPath(root, '/' + name)
  if (!target) return { kind: 'missing' }
  let realRoot: string
  let realTarget: string
  try {
    realRoot = await realpath(root)
    realTarget = await realpath(target)
  } catch {
    return { kind: 'missing' }
  }
  if (!realTarget.startsWith(realRoot + sep)) return { kind: 'outside', name, realPath: realTarget }
  // The real path is read, not the link: the file checked is the file sent.
  const body = await readRegularFile(realTarget)
  return body ? { kind: 'file', name, body } : { kind: 'missing' }
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
