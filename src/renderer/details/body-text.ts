/**
 * Pure helpers for showing a response body fetched page by page with `body.read`. Pages are read as base64
 * and decoded here, because a byte range can end in the middle of a UTF-8 character: only the complete
 * prefix is decoded, and the next page starts at the first byte not yet shown.
 */

/** How much the details pane reads at a time: enough for any API response, never a whole large download. */
export const BODY_PAGE_BYTES = 1024 * 1024

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
export function completeUtf8Length(bytes: Uint8Array): number {
  const n = bytes.length
  // A UTF-8 sequence is at most 4 bytes: look back over at most 3 continuation bytes for its lead byte.
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back] ?? 0
    if ((b & 0xc0) === 0x80) continue // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
    return need > back ? n - back : n
  }
  return n
}

const TEXTUAL =
  /^(text\/|application\/(json|[a-z0-9.+-]*\+json|xml|[a-z0-9.+-]*\+xml|javascript|ecmascript|x-www-form-urlencoded|x-ndjson|graphql|yaml|x-yaml|toml|csv))/i
const BINARY =
  /^(image\/|audio\/|video\/|font\/|application\/(octet-stream|pdf|zip|gzip|x-tar|x-7z|wasm|protobuf|x-protobuf|msgpack|vnd\.))/i

/** true / false when the content type says so; null when it does not (decide by looking at the bytes). */
export function isTextualContentType(contentType: string): boolean | null {
  const ct = contentType.trim()
  if (ct === '') return null
  if (/\+json|\+xml/i.test(ct) || TEXTUAL.test(ct)) return true
  if (BINARY.test(ct)) return false
  return null
}

export function isJsonContentType(contentType: string): boolean {
  return /^application\/(json|[a-z0-9.+-]*\+json)\b/i.test(contentType.trim())
}

/** A NUL byte, or many control bytes, in the first 8 KB means this is not text to show. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192)
  let control = 0
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0
    if (b === 0) return true
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++
  }
  return n > 0 && control / n > 0.1
}

/** JSON indented by 2, or null when the text is not JSON. */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return null
  }
}

export interface DecodedPage {
  text: string
  /** Bytes of this page that `text` covers (the rest is re-read with the next page). */
  consumed: number
}

/** Decode one page. At the end of the body, all of it is decoded (a truncated character shows as U+FFFD). */
export function decodePage(bytes: Uint8Array, isLast: boolean): DecodedPage {
  const consumed = isLast ? bytes.length : completeUtf8Length(bytes)
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, consumed))
  return { text, consumed }
}
