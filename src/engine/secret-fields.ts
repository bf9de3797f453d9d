/**
 * The names that mark a value as a credential, shared by the HAR export's redaction and the OAuth error texts.
 * Kept apart from har/redact.ts so a plain send (which loads auth) does not load the HAR module.
 */

export const REDACTED = '[redacted]'

/**
 * Query and form fields whose value is a credential (OAuth's client_secret, a PKCE code_verifier or a client
 * assertion in a token request, an API key in the query …).
 */
const SECRET_FIELD =
  /^(client_secret|code_verifier|client_assertion|password|passwd|access_token|refresh_token|id_token|api[-_]?key|apikey|token|secret|auth)$/i

export const isSecretField = (name: string): boolean => SECRET_FIELD.test(name)
