import type { RequestOptions } from '../../shared/request'
import type { HeaderList } from '../../shared/timeline'
import { VERSION } from '../version'

/** The headers every hop sends unless the request set them (where a redirect leads: send-rules/redirect-policy). */
export function withDefaultHeaders(headers: HeaderList, options: RequestOptions): HeaderList {
  const out: HeaderList = [...headers]
  const has = (name: string): boolean => out.some(([k]) => k.toLowerCase() === name)
  if (!has('user-agent')) out.push(['user-agent', `Flightdeck/${VERSION}`])
  if (!has('accept')) out.push(['accept', '*/*'])
  if (options.decompress && !has('accept-encoding')) out.push(['accept-encoding', 'gzip, deflate, br'])
  return out
}
