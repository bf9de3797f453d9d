import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { pageScriptSources } from '../../shared/renderer-csp'

/**
 * Where our own renderer lives. IPC senders and navigations are checked against this, so it is computed once
 * at start-up from trusted inputs (the built file's path, or electron-vite's dev server URL) and never from
 * anything a page says.
 */
export type RendererLocation = { kind: 'file'; url: string } | { kind: 'dev'; origin: string; url: string }

export function fileRendererLocation(indexHtmlPath: string): RendererLocation {
  return { kind: 'file', url: pathToFileURL(indexHtmlPath).href }
}

export function devRendererLocation(devServerUrl: string): RendererLocation {
  const parsed = new URL(devServerUrl)
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`ELECTRON_RENDERER_URL must be http(s), got ${parsed.protocol}`)
  }
  return { kind: 'dev', origin: parsed.origin, url: parsed.href }
}

/**
 * True when `url` is our renderer's document. A built renderer is exactly one file (query and hash are the
 * page's own business, e.g. client-side routes); a dev renderer is anything on the dev server's origin.
 */
export function isRendererUrl(url: string, location: RendererLocation): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (location.kind === 'dev') return parsed.origin === location.origin
  const expected = new URL(location.url)
  return parsed.protocol === 'file:' && parsed.host === expected.host && parsed.pathname === expected.pathname
}

/** The built page's script-src (its CSP meta pins the bundle by hash); null when the page cannot be read. */
export function readPageScripts(indexHtmlPath: string): string[] | null {
  try {
    return pageScriptSources(readFileSync(indexHtmlPath, 'utf8'))
  } catch (e) {
    console.error(`[flightdeck] cannot read ${indexHtmlPath}`, e)
    return null
  }
}

/**
 * The desktop renderer's Content-Security-Policy header. Scripts: exactly the ones the built page's own CSP meta
 * pins by hash (`pageScripts`; none at all when it could not be read); styles from 'self'; no network at all
 * (everything goes through IPC). Vite's dev server needs an inline React-refresh preamble and its HMR WebSocket,
 * so dev relaxes exactly those two, for that origin only.
 */
export function rendererCsp(
  location: RendererLocation,
  pageScripts: readonly string[] | null = null,
): string {
  const devOrigin = location.kind === 'dev' ? location.origin : null
  const wsDevOrigin = devOrigin ? devOrigin.replace(/^http/, 'ws') : null
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', devOrigin ? `'self' 'unsafe-inline' ${devOrigin}` : (pageScripts ?? ["'none'"]).join(' ')],
    ['style-src', devOrigin ? `'self' 'unsafe-inline' ${devOrigin}` : "'self' 'unsafe-inline'"],
    ['img-src', "'self' data: blob:"],
    ['font-src', "'self' data:"],
    ['connect-src', devOrigin && wsDevOrigin ? `'self' ${devOrigin} ${wsDevOrigin}` : "'none'"],
    ['worker-src', "'self' blob:"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-src', "'none'"],
    ['frame-ancestors', "'none'"],
  ]
  return directives.map(([k, v]) => `${k} ${v}`).join('; ')
}
