import type { Loose, RequestOptions } from '../../shared/request'
import { DEFAULT_REQUEST_OPTIONS } from '../../shared/constants'

/**
 * A request's options as each tool reads them back: Postman's `protocolProfileBehavior`, Insomnia's `settings`
 * and Bruno's `settings {}` block. Only options a request sets away from Flightdeck's defaults are written; those
 * the tool has no per-request place for are named in `skipped`, so nothing is lost without a word.
 */

type Options = Loose<RequestOptions>
type Json = Record<string, unknown>

/** How each option is said in a note, in the order notes list them. */
const LABEL: Readonly<Record<keyof RequestOptions, string>> = {
  followRedirects: 'redirects not followed',
  maxRedirects: 'at most N redirects',
  cookies: 'cookies off',
  totalTimeoutMs: 'a total timeout of N ms',
  connectTimeoutMs: 'a connect timeout of N ms',
  headersTimeoutMs: 'a headers timeout of N ms',
  idleTimeoutMs: 'an idle timeout of N ms',
  insecure: 'certificates not checked',
  caFile: 'its own CA file',
  decompress: 'no decompression',
  maxBodyBytes: 'a body limit of N bytes',
  http2: 'HTTP/2 off',
  acceptPush: 'server push accepted',
  omitDefaultHeaders: 'default headers left out (N)',
}

/** The options a request sets away from the defaults. */
function changed(o: Options): (keyof RequestOptions)[] {
  return (Object.keys(LABEL) as (keyof RequestOptions)[]).filter(
    (k) =>
      o[k] !== undefined &&
      o[k] !== DEFAULT_REQUEST_OPTIONS[k] &&
      (k !== 'omitDefaultHeaders' || (o.omitDefaultHeaders?.length ?? 0) > 0),
  )
}

function sayLeft(
  o: Options,
  written: ReadonlySet<string>,
  tool: string,
  where: string,
  skipped: string[],
): void {
  const left = changed(o).filter((k) => !written.has(k))
  if (left.length === 0) return
  const words = left.map((k) => LABEL[k].replace('N', String(o[k])))
  skipped.push(`${where}: ${words.join(', ')} not exported (${tool} has no such per-request setting)`)
}

/** Every option a request sets away from the defaults named as not exported: `tool` has no place for any. */
export function optionsLeft(o: Options, tool: string, where: string, skipped: string[]): void {
  sayLeft(o, new Set(), tool, where, skipped)
}

/** Postman's `protocolProfileBehavior` for a request's options; null when it sets none Postman reads. */
export function postmanProfileOf(o: Options, where: string, skipped: string[]): Json | null {
  const out: Json = {}
  const set = new Set(changed(o))
  if (set.has('followRedirects')) out['followRedirects'] = false
  if (set.has('maxRedirects')) out['maxRedirects'] = o.maxRedirects
  if (set.has('cookies')) out['disableCookies'] = true
  if (set.has('insecure')) out['strictSSL'] = false
  if (set.has('omitDefaultHeaders'))
    out['disabledSystemHeaders'] = Object.fromEntries((o.omitDefaultHeaders ?? []).map((h) => [h, true]))
  const said = ['followRedirects', 'maxRedirects', 'cookies', 'insecure', 'omitDefaultHeaders']
  sayLeft(o, new Set(said), 'Postman', where, skipped)
  return Object.keys(out).length > 0 ? out : null
}

/** Insomnia v5's `settings` for a request's options; null when it sets none Insomnia reads. */
export function insomniaSettingsOf(o: Options, where: string, skipped: string[]): Json | null {
  const set = new Set(changed(o))
  sayLeft(o, new Set(['followRedirects', 'cookies']), 'Insomnia', where, skipped)
  if (!set.has('followRedirects') && !set.has('cookies')) return null
  // Insomnia's own exports write the whole block; the settings Flightdeck has no twin for keep Insomnia's defaults.
  return {
    renderRequestBody: true,
    encodeUrl: true,
    followRedirects: set.has('followRedirects') ? 'off' : 'global',
    cookies: { send: !set.has('cookies'), store: !set.has('cookies') },
    rebuildPath: true,
  }
}

/** Bruno's `settings {}` lines (name, value) for a request's options; empty when it sets none Bruno reads. */
export function brunoSettingsOf(o: Options, where: string, skipped: string[]): [string, string][] {
  const set = new Set(changed(o))
  sayLeft(o, new Set(['followRedirects', 'maxRedirects', 'totalTimeoutMs']), 'Bruno', where, skipped)
  const out: [string, string][] = []
  if (set.has('followRedirects')) out.push(['followRedirects', 'false'])
  if (set.has('maxRedirects')) out.push(['maxRedirects', String(o.maxRedirects)])
  if (set.has('totalTimeoutMs')) out.push(['timeout', String(o.totalTimeoutMs)])
  return out
}
