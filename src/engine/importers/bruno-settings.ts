import type { RequestOptions } from '../../shared/request'

/**
 * A Bruno request's `settings` block (`.bru`) or `settings:` map (OpenCollection): `followRedirects`,
 * `maxRedirects` and `timeout` (ms, 0: none) become the request's options; `encodeUrl` is Bruno's own (Flightdeck
 * always encodes what a URL needs encoded) and goes unremarked, as older collections write it on every request;
 * any other setting is named.
 */

const MAX_REDIRECTS = 100
const MAX_TIMEOUT_MS = 24 * 3_600_000
const KNOWN = new Set(['followRedirects', 'maxRedirects', 'timeout', 'encodeUrl'])

/** `entries`: the block's name/value pairs, values as written (`false`, `5`, or YAML's booleans and numbers). */
export function brunoOptions(
  entries: readonly (readonly [string, unknown])[],
  where: string,
  report: (line: string) => void,
): Partial<RequestOptions> {
  const out: Partial<RequestOptions> = {}
  for (const [key, raw] of entries) {
    const value = String(raw).trim()
    const count = Number(value)
    const isCount = value !== '' && Number.isInteger(count) && count >= 0
    if (!KNOWN.has(key)) {
      report(`${where}: setting "${key.slice(0, 60)}" is not supported; left out`)
    } else if (key === 'followRedirects') {
      if (value === 'false') out.followRedirects = false
      else if (value !== 'true')
        report(
          `${where}: followRedirects "${value.slice(0, 40)}" is not true or false; redirects are followed`,
        )
    } else if (key === 'maxRedirects') {
      if (!isCount) report(`${where}: maxRedirects "${value.slice(0, 40)}" is not a count; left out`)
      else {
        if (count > MAX_REDIRECTS)
          report(
            `${where}: maxRedirects ${count} is past Flightdeck's ${MAX_REDIRECTS}; ${MAX_REDIRECTS} kept`,
          )
        out.maxRedirects = Math.min(count, MAX_REDIRECTS)
      }
    } else if (key === 'timeout') {
      if (!isCount)
        report(`${where}: timeout "${value.slice(0, 40)}" is not a count of milliseconds; left out`)
      else if (count > 0) {
        if (count > MAX_TIMEOUT_MS)
          report(`${where}: timeout ${count} ms is past Flightdeck's 24 h; 24 h kept`)
        out.totalTimeoutMs = Math.min(count, MAX_TIMEOUT_MS)
      }
    }
  }
  return out
}
