import type { KeyValue } from '../../shared/request'

/**
 * A Content-Type set by hand on a multipart body without a boundary (`multipart/form-data`, as Insomnia saved
 * it): the server could not split the parts, so the engine sends the body's own header instead. The composer
 * says so under the parts, naming the header; null when there is nothing to say.
 */
export function multipartHeaderWarning(headers: readonly KeyValue[]): string | null {
  const h = headers.find(
    (x) =>
      x.enabled &&
      x.name.trim().toLowerCase() === 'content-type' &&
      /^\s*multipart\//i.test(x.value) &&
      !/boundary=/i.test(x.value),
  )
  if (!h) return null
  return `The Content-Type header "${h.value.trim()}" has no boundary, so the server could not split the parts: Flightdeck sends the body's own Content-Type (with its boundary) instead. Remove the header to keep the request as it is sent.`
}
