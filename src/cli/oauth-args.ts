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
): { oauthSignIn: (url: string) => void; oauthTimeoutMs?: number } {
  const seconds = Math.round((timeoutMs ?? 300_000) / 1000)
  return {
    oauthSignIn: (url) =>
      err(
        `flightdeck: OAuth 2.0 sign-in: open this URL in a browser (waiting up to ${seconds} s):\n  ${url}\n`,
      ),
    ...(timeoutMs !== undefined ? { oauthTimeoutMs: timeoutMs } : {}),
  }
}
