import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import { hasHeader } from '../auth/apply-auth'

/**
 * Basic auth in a snippet (Copy as curl, as code, as grpcurl) whose user name or password still holds a
 * `{{variable}}` once the snippet's values are filled in: a secret (left as its name, as every snippet leaves
 * secrets) or a variable no environment defines. Its base64 would encode the braces, a credential nobody can
 * fill in; so the snippet writes `user:password` readable, where the person replaces `{{pw}}` as in any other
 * header, and the code encodes it where it runs (curl's --user, a shell substitution for grpcurl).
 */

const TEMPLATE = /\{\{[^{}]*\}\}/

/**
 * `user:password` when `auth` is Basic, would be sent (no Authorization set by hand in `spec`) and holds a
 * `{{variable}}`; null otherwise (fully filled-in credentials are encoded as a send encodes them).
 */
export function unfilledBasic(spec: RequestSpec, auth: AuthSpec, header = 'Authorization'): string | null {
  if (auth.type !== 'basic' || hasHeader(spec, header)) return null
  const credentials = `${auth.username}:${auth.password}`
  return TEMPLATE.test(credentials) ? credentials : null
}

/** Words in a snippet that stand for Basic credentials the code cannot encode yet (not curl, not grpcurl). */
export function unfilledBasicHeader(credentials: string): string {
  return `Basic <base64 of ${credentials}>`
}
