import type { AppError } from '../../shared/result'

/** The engine's words when the browser host cannot open the sign-in page itself (oauth2-tokens.ts). */
const SIGN_IN = /^(OAuth 2\.0: sign in at \S+ \(within [^)]+ s\)), then send again$/

/**
 * The engine's "sign in at <link> (within N s), then send again", in the words that fit Get token: there is no
 * send to make, the token shows under the button once the person has signed in. Null for any other error.
 */
export function signInForGetToken(error: AppError): AppError | null {
  const found = SIGN_IN.exec(error.message)
  if (found === null) return null
  return { ...error, message: `${found[1]}: the token shows here once you have` }
}
