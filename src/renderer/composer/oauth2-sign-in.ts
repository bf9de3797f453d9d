import { signInOf } from '../../shared/error-facts'
import type { AppError } from '../../shared/result'

/** 300000 -> "300", 300 -> "0.3": as the engine says a sign-in's time. */
function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(1)))
}

/**
 * An error that asks the person to sign in (the browser host cannot open the sign-in page itself), in the words
 * that fit Get token: there is no send to make, the token shows under the button once the person has signed in.
 * Read from the error's `signIn` facts, whatever its message says. Null for any other error.
 */
export function signInForGetToken(error: AppError): AppError | null {
  const signIn = signInOf(error)
  if (signIn === null) return null
  return {
    ...error,
    message: `OAuth 2.0: sign in at ${signIn.url} (within ${seconds(signIn.withinMs)} s): the token shows here once you have`,
  }
}
