import { pathToFileURL } from 'node:url'

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
