/**
 * A multipart body's part headers read from a HAR's recorded `postData.text`, for the parts its `params` list
 * without them. Chrome writes a multipart upload as the body's text (a file part's bytes left out) and `params`
 * of `{ name, value }` alone: a file part is `{ name: "file", value: "" }`, and only the text says
 * `filename="receipt.pdf"` and its `Content-Type`. Read as a param alone it was an empty text field, so the
 * server got no file. Only the headers are read (the first 8 KiB of each part), in one pass over the text.
 */

export interface RecordedPartHeaders {
  name: string
  fileName?: string
  contentType?: string
}

/** A param as a HAR lists it. */
export interface HarParamLike {
  name?: unknown
  value?: unknown
  fileName?: unknown
  contentType?: unknown
}

const MAX_HEADER_CHARS = 8 * 1024

/** The boundary a `multipart/form-data; boundary=…` type names, or '' when none. */
function boundaryOf(mimeType: string): string {
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;]{1,200}))/i.exec(mimeType)
  return m?.[1] ?? m?.[2] ?? ''
}

/**
 * A Content-Disposition's parameters by lower-cased key (the first of each kept), read left to right in one
 * pass: a quoted value is read whole with its escapes, so a `; name="…"` written inside a quoted filename starts
 * no parameter of its own (a pattern looking for `; name=` anywhere took the filename's text for the name).
 */
function dispositionParams(value: string): Map<string, string> {
  const out = new Map<string, string>()
  const n = value.length
  let i = value.indexOf(';')
  while (i !== -1) {
    let k = i + 1
    while (k < n && value[k] !== '=' && value[k] !== ';') k++
    const key = value
      .slice(i + 1, k)
      .trim()
      .toLowerCase()
    if (value[k] !== '=') {
      i = k < n ? k : -1
      continue
    }
    k++
    while (value[k] === ' ' || value[k] === '\t') k++
    let v: string
    if (value[k] === '"') {
      const chars: string[] = []
      k++
      while (k < n && value[k] !== '"') {
        if (value[k] === '\\' && k + 1 < n) k++
        chars.push(value[k] ?? '')
        k++
      }
      v = chars.join('')
      i = value.indexOf(';', k)
    } else {
      i = value.indexOf(';', k)
      v = value.slice(k, i === -1 ? n : i).trim()
    }
    if (key !== '' && !out.has(key)) out.set(key, v)
  }
  return out
}

/**
 * An RFC 5987 extended value (`filename*=UTF-8''na%C3%AFve.txt`, ISO-8859-1 too) decoded; undefined when it is
 * not one or does not decode, so the plain `filename` is used.
 */
function extendedValue(v: string): string | undefined {
  const m = /^([\w!#$&+^`{}~-]+)'[^']*'(.*)$/s.exec(v)
  if (!m) return undefined
  const charset = (m[1] ?? '').toLowerCase()
  const encoded = m[2] ?? ''
  try {
    if (charset === 'utf-8') return decodeURIComponent(encoded)
    if (charset === 'iso-8859-1')
      return encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
  } catch {
    return undefined
  }
  return undefined
}

/**
 * Where the next delimiter line starts at or after `from`, or -1: a delimiter begins the text or a line (RFC 2046
 * §5.1.1), so the boundary's text inside a value ("see --B") starts no part.
 */
function delimiterAt(text: string, delimiter: string, from: number): number {
  let at = text.indexOf(delimiter, from)
  while (at > 0 && text[at - 1] !== '\n') at = text.indexOf(delimiter, at + 1)
  return at
}

/** Each part's name, filename and type as the recorded text says them, in order; [] when it says none. */
export function recordedPartHeaders(mimeType: string, text: string): RecordedPartHeaders[] {
  const boundary = boundaryOf(mimeType)
  if (boundary === '' || text === '') return []
  const out: RecordedPartHeaders[] = []
  const delimiter = `--${boundary}`
  let at = delimiterAt(text, delimiter, 0)
  while (at !== -1) {
    const start = at + delimiter.length
    if (text.startsWith('--', start)) break
    const next = delimiterAt(text, delimiter, start)
    const headers = text.slice(start, Math.min(next === -1 ? text.length : next, start + MAX_HEADER_CHARS))
    const end = headers.search(/\r?\n\r?\n/)
    const lines = (end === -1 ? headers : headers.slice(0, end)).split(/\r?\n/)
    let name: string | undefined
    const part: Omit<RecordedPartHeaders, 'name'> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      if (colon === -1) continue
      const key = line.slice(0, colon).trim().toLowerCase()
      const value = line.slice(colon + 1).trim()
      if (key === 'content-disposition') {
        const params = dispositionParams(value)
        name = params.get('name')
        const extended = params.get('filename*')
        const fileName =
          (extended === undefined ? undefined : extendedValue(extended)) ?? params.get('filename')
        if (fileName !== undefined && fileName !== '') part.fileName = fileName
      } else if (key === 'content-type' && value !== '') part.contentType = value
    }
    if (name !== undefined) out.push({ name, ...part })
    at = next
  }
  return out
}

/**
 * `params` with the filename and type the recorded text gives a part its param lacks: each param is matched to
 * the next recorded part of the same name. Params that have their own are left as they are.
 */
export function withRecordedPartHeaders<P extends HarParamLike>(
  params: readonly P[],
  mimeType: string,
  text: string,
): P[] {
  if (params.every((p) => typeof p.fileName === 'string' && p.fileName !== '')) return [...params]
  const recorded = recordedPartHeaders(mimeType, text)
  if (recorded.length === 0) return [...params]
  // Each name's recorded parts and the next to give: an index, not shift(), which moves the rest of a long list
  // each time (quadratic in the parts of one name).
  const byName = new Map<string, { parts: RecordedPartHeaders[]; next: number }>()
  for (const r of recorded) {
    const same = byName.get(r.name)
    if (same) same.parts.push(r)
    else byName.set(r.name, { parts: [r], next: 0 })
  }
  return params.map((p) => {
    const same = typeof p.name === 'string' ? byName.get(p.name) : undefined
    const found = same?.parts[same.next++]
    if (!found) return p
    const fileName = typeof p.fileName === 'string' && p.fileName !== '' ? {} : { fileName: found.fileName }
    const contentType =
      typeof p.contentType === 'string' && p.contentType !== '' ? {} : { contentType: found.contentType }
    const filled = { ...p, ...(found.fileName ? fileName : {}), ...(found.contentType ? contentType : {}) }
    return filled
  })
}
