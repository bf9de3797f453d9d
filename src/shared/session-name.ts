import type { QueuedEvent } from './timeline'

/**
 * What names a session for a person: the timeline row's name column, and the first line `flightdeck mqtt` and
 * `flightdeck socketio` print, so a session reads the same in the app and in a terminal.
 */

/** The path and query of a URL for the row's name column; the full URL stays in the title. */
export function displayPath(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(url)
  if (!m) return url
  const rest = m[1] ?? ''
  return rest === '' ? '/' : rest
}

/**
 * The name column's two parts for a row without a saved name: what names the session, then where it went. An
 * HTTP row is its path beside its host; an MQTT session has no path worth the name (its URL is the broker's),
 * so it is named by its broker, host:port (as `flightdeck mqtt`'s first line names it too, with its URL), beside
 * the URL's path when it has one (a WebSocket endpoint such as /mqtt).
 */
export function rowName(kind: QueuedEvent['kind'], url: string): { name: string; where: string } {
  const path = displayPath(url)
  // A Socket.IO session's URL path is its namespace: the default one, '/', says nothing; its server does.
  if (kind === 'socketio' && path === '/') return { name: hostOf(url) || url, where: '' }
  if (kind !== 'mqtt') return { name: path, where: hostOf(url) }
  return { name: hostOf(url) || url, where: path === '/' || path === url ? '' : path }
}

export function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)
  return m?.[1] ?? ''
}
