import { readFile, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import { WEB_API_PATH } from '../shared/contract'

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

export async function readRegularFile(path: string): Promise<Buffer | null> {
  try {
    const info = await stat(path)
    if (!info.isFile()) return null
    return await readFile(path)
  } catch {
    return null
  }
}

export const BRIDGE_PATH = '/bridge.js'
// The bridge learns the API path from its own tag, so it needs no runtime import of the contract.
const BRIDGE_TAG = `<script src="${BRIDGE_PATH}" data-api-path="${WEB_API_PATH}"></script>`

/**
 * Puts the bridge before the first module script: a classic script without defer runs as the parser reaches
 * it, and module scripts run after parsing, so `window.api` exists before the renderer's code starts.
 */
export function injectBridge(html: string): string {
  const moduleScript = /<script\b[^>]*\btype\s*=\s*["']?module["']?[^>]*>/i.exec(html)
  if (moduleScript) return html.slice(0, moduleScript.index) + BRIDGE_TAG + html.slice(moduleScript.index)
  const headEnd = html.search(/<\/head>/i)
  if (headEnd >= 0) return html.slice(0, headEnd) + BRIDGE_TAG + html.slice(headEnd)
  return BRIDGE_TAG + html
}
