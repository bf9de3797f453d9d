import type { RequestBody, RequestSpec } from '../../shared/request'
import { fail, type Result } from '../../shared/result'

/**
 * A multipart form whose Content-Type is left out (the request's `omitDefaultHeaders` names `content-type`, as a
 * Postman request with its Content-Type switched off imports) and not typed by hand: the Content-Type names the
 * boundary between the parts, so the server could not split them. Send refuses it before sending anything, and
 * Copy as writes no code that would send it; a Content-Type typed as `multipart/form-data` gets the body's own
 * boundary (request-body.ts's wireHeaders), so that is one way out.
 */
export function untypedMultipart(
  body: RequestBody,
  typedContentType: boolean,
  omit: readonly string[] | undefined,
): boolean {
  return body.kind === 'multipart' && !typedContentType && (omit ?? []).includes('content-type')
}

/** Why, and what to do instead. */
export const UNTYPED_MULTIPART =
  "This form-data body's Content-Type is left out (the request's omitDefaultHeaders), but a form needs it: it names the boundary between the parts, without which the server cannot split them. Add a Content-Type header of multipart/form-data (Flightdeck fills in the boundary), take content-type off omitDefaultHeaders, or send a raw body instead"

/**
 * The refusal of a request that sends such a form, before it goes to the engine: the app's Send says it in the
 * composer ("Not sent: …"), where the person looks, not only on the timeline row.
 */
export function refuseUntypedMultipart(spec: RequestSpec): Result<never> | null {
  const typed = spec.headers.some((h) => h.enabled && h.name.trim().toLowerCase() === 'content-type')
  return untypedMultipart(spec.body, typed, spec.options.omitDefaultHeaders)
    ? fail('invalid_request', UNTYPED_MULTIPART)
    : null
}
