import type { RequestOptions } from '../../shared/request'
import { isObj, str } from './plan'

/**
 * An Insomnia request's own settings, v4's `setting*` fields or v5's `settings:` block: whether it follows
 * redirects, sends and stores cookies, fills in its body's variables, encodes its URL and rebuilds its path.
 * Those Flightdeck has become the request's options; the others are said when they differ from Insomnia's
 * defaults (a request goes out as with them on).
 */

interface Settings {
  /** 'global' (the app's setting: follow), 'on' or 'off'. */
  followRedirects: string
  sendCookies: boolean
  storeCookies: boolean
  renderBody: boolean
  encodeUrl: boolean
  rebuildPath: boolean
}

const flag = (v: unknown): boolean => v !== false

function read(r: Record<string, unknown>): Settings {
  const s = r['settings']
  if (isObj(s)) {
    const cookies = isObj(s['cookies']) ? s['cookies'] : {}
    return {
      followRedirects: str(s['followRedirects'], 'global'),
      sendCookies: flag(cookies['send']),
      storeCookies: flag(cookies['store']),
      renderBody: flag(s['renderRequestBody']),
      encodeUrl: flag(s['encodeUrl']),
      rebuildPath: flag(s['rebuildPath']),
    }
  }
  return {
    followRedirects: str(r['settingFollowRedirects'], 'global'),
    sendCookies: flag(r['settingSendCookies']),
    storeCookies: flag(r['settingStoreCookies']),
    renderBody: r['settingDisableRenderRequestBody'] !== true,
    encodeUrl: flag(r['settingEncodeUrl']),
    rebuildPath: flag(r['settingRebuildPath']),
  }
}

export function insomniaOptions(
  r: Record<string, unknown>,
  where: string,
  report: (line: string) => void,
): Partial<RequestOptions> {
  const s = read(r)
  const out: Partial<RequestOptions> = {}
  if (s.followRedirects === 'off') out.followRedirects = false
  else if (s.followRedirects !== 'on' && s.followRedirects !== 'global')
    report(
      `${where}: redirect setting "${s.followRedirects.slice(0, 40)}" is not Insomnia's; redirects are followed`,
    )
  // Flightdeck has one switch for both: a request that sends none keeps none either.
  if (!s.sendCookies) {
    out.cookies = false
    if (s.storeCookies)
      report(`${where}: sends no cookies, as in Insomnia, and keeps none it is given (Insomnia stored them)`)
  } else if (!s.storeCookies)
    report(
      `${where}: cookies it is given are kept (Insomnia's "store cookies" is off for it; Flightdeck has one switch for sending and keeping)`,
    )
  if (!s.renderBody)
    report(`${where}: Insomnia sends its body without filling in variables; Flightdeck fills them in`)
  if (!s.encodeUrl) report(`${where}: Insomnia sends its URL without encoding it; Flightdeck encodes it`)
  if (!s.rebuildPath)
    report(`${where}: Insomnia sends its path as written (rebuild path off); Flightdeck normalises it`)
  return out
}
