import type { RequestOptions } from '../../shared/request'
import type { HeaderList } from '../../shared/timeline'
import { VERSION } from '../version'

/** What a hop sends and where a redirect leads: the engine's header and redirect rules, in one place. */

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** Headers that must not follow a redirect to another origin (credentials). */
export const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization'])
export const BODY_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
])

export function withDefaultHeaders(headers: HeaderList, options: RequestOptions): HeaderList {
  const out: HeaderList = [...headers]
  const has = (name: string): boolean => out.some(([k]) => k.toLowerCase() === name)
  if (!has('user-agent')) out.push(['user-agent', `Flightdeck/${VERSION}`])
  if (!has('accept')) out.push(['accept', '*/*'])
  if (options.decompress && !has('accept-encoding')) out.push(['accept-encoding', 'gzip, deflate, br'])
  return out
}

export function isFollowableRedirect(status: number, headers: HeaderList): boolean {
  return REDIRECT_STATUSES.has(status) && headers.some(([k]) => k.toLowerCase() === 'location')
}

export function redirectMethod(method: string, status: number): string {
  if (status === 303 && method !== 'HEAD') return 'GET'
  if ((status === 301 || status === 302) && method === 'POST') return 'GET'
  return method
}
