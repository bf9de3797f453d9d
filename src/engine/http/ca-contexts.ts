import { createHash } from 'node:crypto'
import type * as NodeTls from 'node:tls'
import type { SecureContext } from 'node:tls'

/**
 * TLS secure contexts for CA files, one per CA content for the whole engine: parsing a CA bundle is synchronous
 * and costs about 1-2 ms a certificate (a 500-certificate bundle, the most the engine reads, held its thread
 * 0.3-1 s), and profiles that differ only in HTTP/2, Insecure or the connect timeout each parsed it again.
 * Keyed by the content's SHA-256, so a changed file gets a context of its own; the last few are kept.
 */

/** Distinct CA contents kept; past it the one used least recently is let go. */
export const MAX_CA_CONTEXTS = 16

const contexts = new Map<string, SecureContext>()

export function caContext(tls: typeof NodeTls, ca: string): SecureContext {
  const key = createHash('sha256').update(ca).digest('hex')
  let context = contexts.get(key)
  if (context) contexts.delete(key)
  else context = tls.createSecureContext({ ca })
  contexts.set(key, context)
  if (contexts.size > MAX_CA_CONTEXTS) contexts.delete(contexts.keys().next().value as string)
  return context
}
