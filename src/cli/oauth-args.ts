/**
 * `--oauth-timeout <seconds>`: how long `send --collection` and `run` wait for the person to sign in when a
 * request's OAuth 2.0 auth uses the authorization code grant. The sign-in URL is printed to stderr (the CLI never
 * opens a window); the code comes back to a listener on 127.0.0.1.
 */

export const OAUTH_TIMEOUT_USAGE = `      --oauth-timeout <s>  OAuth 2.0 authorization code: how long to wait for you to sign in at
                           the URL printed on stderr (default 300, at most 3600)`

/** Seconds as given -> ms, or the problem in words. */
export function parseOAuthTimeout(given: string | undefined): number | undefined | Error {
  if (given === undefined) return undefined
  const s = Number(given)
  if (!Number.isInteger(s) || s < 1 || s > 3600)
    return new Error(`--oauth-timeout must be a whole number of seconds (1..3600), got '${given}'`)
  return s * 1000
}

/** The engine options that print the sign-in URL to stderr and bound the wait. */
export function oauthCliOptions(
  err: (text: string) => void,
  timeoutMs: number | undefined,
): { oauthSignIn: (url: string) => void; oauthTimeoutMs?: number; oauthNotice: (text: string) => void } {
  const seconds = Math.round((timeoutMs ?? 300_000) / 1000)
  // Each once a command: a run's requests share one token, a token fetched anew says nothing new.
  const said = new Set<string>()
  return {
    oauthNotice: (text) => {
      if (said.has(text)) return
      said.add(text)
      err(`flightdeck: warning: ${text}\n`)
    },
    oauthSignIn: (url) => {
      const shown = withoutUserinfo(url)
      const left = shown.dropped ? `\n  ${USERINFO_LEFT_OUT}` : ''
      err(
        `flightdeck: OAuth 2.0 sign-in: open this URL in a browser (waiting up to ${seconds} s):\n  ${shown.url}${left}\n`,
      )
    },
    ...(timeoutMs !== undefined ? { oauthTimeoutMs: timeoutMs } : {}),
  }
}

export const USERINFO_LEFT_OUT =
  '(the user name and password in the authorization URL are left out: your browser asks for them if the page wants them)'

/**
 * stderr ends up in CI logs: a `user:password@` typed into the authorization URL is not printed. The rest of the
 * URL is the link the person opens, so it is printed whole (its query is what the authorization server reads).
 */
function withoutUserinfo(url: string): { url: string; dropped: boolean } {
  const typedUserinfo = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i
  let u: URL
  try {
    u = new URL(url)
  } catch {
    // The engine built the URL with URL, so it parses; should it not, what sits before an @ still goes.
    return { url: url.replace(typedUserinfo, '$1'), dropped: typedUserinfo.test(url) }
  }
  if (u.username === '' && u.password === '') return { url, dropped: false }
  u.username = ''
  u.password = ''
  return { url: u.href, dropped: true }
}
