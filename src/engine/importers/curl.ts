import type { AuthSpec, SavedRequest } from '../../shared/collection'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import { curlFormDetails, type CurlFormDetail } from './curl-form-details'
import { ImportError, isObj, method, request, str } from './plan'

/**
 * A pasted curl command, parsed by curlconverter (a real shell parser, not a regex): method, URL, headers,
 * body (-d, --data-raw, --json, -F), basic and digest auth. What it warns about goes into the report.
 */

export { looksLikeCurl } from '../../shared/draft-schemas'

function headerList(v: unknown): KeyValue[] {
  if (!isObj(v)) return []
  return Object.entries(v).map(([name, value]) => ({ name, value: str(value), enabled: true }))
}

const PROTO = '__proto__'

/**
 * Each part with what its `-F` said beyond name and value (curl-form-details.ts): a `;type=` as the part's
 * Content-Type, and a `;filename=` other than the file's own name as the part's `fileName`. Matched by name (and
 * file) in order. One a part cannot carry (a type with a control character or past 256, a filename past 1,024
 * or with a control character) is left off and reported.
 */
function withFormDetails(
  parts: MultipartPart[],
  details: CurlFormDetail[],
  unmapped: string[],
): MultipartPart[] {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/
  const left = [...details]
  return parts.map((p) => {
    const at = left.findIndex((d) => d.name === p.name && (p.kind === 'file' ? d.file === p.path : !d.file))
    if (at === -1) return p
    const d = left.splice(at, 1)[0] as CurlFormDetail
    const out: MultipartPart = { ...p }
    if (d.contentType !== undefined) {
      if (d.contentType.length <= 256 && /^[\x20-\x7e]*$/.test(d.contentType)) out.contentType = d.contentType
      else
        unmapped.push(
          `curl: part "${p.name.slice(0, 80)}": its ;type= cannot be a part's Content-Type; left out`,
        )
    }
    if (out.kind === 'file' && d.filename !== undefined) {
      const own = out.path.slice(Math.max(out.path.lastIndexOf('/'), out.path.lastIndexOf('\\')) + 1)
      if (d.filename === own || d.filename === '') return out
      if (d.filename.length <= 1024 && !control.test(d.filename)) out.fileName = d.filename
      else
        unmapped.push(
          `curl: part "${p.name.slice(0, 80)}": its ;filename= cannot be sent; the file's own name is`,
        )
    }
    return out
  })
}

/** A word that is not in `text`, to stand for `__proto__` through the parser; null when there is none to hide. */
function protoStandIn(text: string): string | null {
  if (!text.includes(PROTO)) return null
  for (let i = 0; i < 100; i++) {
    const word = `fdproto${i}x${Math.random().toString(36).slice(2, 10)}`
    if (!text.includes(word)) return word
  }
  throw new ImportError('curl command: could not read a name __proto__ in it')
}

/**
 * curlconverter's result with the stand-in turned back into `__proto__`, in keys (own properties, never the
 * prototype) and in text. Iterative: a --json body may nest deeply.
 */
function withProto(v: unknown, standIn: string): unknown {
  const back = (x: unknown): unknown =>
    typeof x === 'string' ? x.replaceAll(standIn, PROTO) : Array.isArray(x) ? [] : isObj(x) ? {} : x
  const top = back(v)
  const stack: [unknown, unknown][] = typeof v === 'object' && v !== null ? [[v, top]] : []
  while (stack.length > 0) {
    const [from, to] = stack.pop() as [unknown, unknown]
    for (const [k, x] of Object.entries(from as object)) {
      const copy = back(x)
      if (Array.isArray(to)) to.push(copy)
      else
        Object.defineProperty(to, k.replaceAll(standIn, PROTO), {
          value: copy,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      if (typeof x === 'object' && x !== null) stack.push([x, copy])
    }
  }
  return top
}

/** Loaded on first use: curlconverter (with its shell grammar) is the slowest module to load, and most runs
 * of the CLI or the app never import a curl command. */
export async function importCurl(text: string): Promise<{ request: SavedRequest; unmapped: string[] }> {
  const { toJsonObjectWarn } = await import('curlconverter')
  let parsed: unknown
  let warnings: unknown
  // curlconverter keys headers, fields and parts by name in plain objects, where `__proto__` is no key (a
  // part or field named so was dropped, a header so named threw): the name goes through under a stand-in.
  const standIn = protoStandIn(text)
  try {
    ;[parsed, warnings] = toJsonObjectWarn(standIn ? text.trim().replaceAll(PROTO, standIn) : text.trim())
    if (standIn) parsed = withProto(parsed, standIn)
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'cannot parse'
    throw new ImportError(`not a curl command curlconverter can read: ${message}`)
  }
  if (!isObj(parsed)) throw new ImportError('curlconverter returned nothing for this command')
  const unmapped: string[] = []
  for (const w of Array.isArray(warnings) ? warnings : []) {
    if (Array.isArray(w)) unmapped.push(`curl: ${str(w[1])}`)
  }
  const url = str(parsed['raw_url']) || str(parsed['url'])
  if (url === '') throw new ImportError('the curl command has no URL')
  const headers = headerList(parsed['headers'])
  const contentType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? ''
  const data = parsed['data']
  const files = isObj(parsed['files']) ? parsed['files'] : null
  let body: RequestBody = { kind: 'none' }
  if (files || (isObj(data) && contentType === '')) {
    const parts: MultipartPart[] = []
    if (isObj(data))
      for (const [name, value] of Object.entries(data))
        parts.push({ kind: 'text', name, value: str(value), enabled: true })
    if (files)
      for (const [name, path] of Object.entries(files))
        parts.push({ kind: 'file', name, path: str(path), enabled: true })
    const details = await curlFormDetails(standIn ? text.trim().replaceAll(PROTO, standIn) : text.trim())
    const back = (s: string): string => (standIn ? s.replaceAll(standIn, PROTO) : s)
    body = {
      kind: 'multipart',
      parts: withFormDetails(
        parts,
        details.map((d) => ({
          name: back(d.name),
          ...(d.file !== undefined ? { file: back(d.file) } : {}),
          ...(d.filename !== undefined ? { filename: back(d.filename) } : {}),
          ...(d.contentType !== undefined ? { contentType: back(d.contentType) } : {}),
        })),
        unmapped,
      ),
    }
  } else if (typeof data === 'string' && data.startsWith('@')) {
    body = contentType
      ? { kind: 'file', path: data.slice(1), contentType }
      : { kind: 'file', path: data.slice(1) }
  } else if (/json/i.test(contentType) && data !== undefined) {
    body = { kind: 'json', text: typeof data === 'string' ? data : `${JSON.stringify(data, null, 2)}\n` }
  } else if (isObj(data) && /x-www-form-urlencoded/i.test(contentType)) {
    body = {
      kind: 'form',
      fields: Object.entries(data).map(([name, value]) => ({ name, value: str(value), enabled: true })),
    }
  } else if (data !== undefined) {
    body = {
      kind: 'text',
      text: typeof data === 'string' ? data : JSON.stringify(data),
      contentType: contentType || 'text/plain',
    }
  }
  // The engine builds form and multipart bodies with their own Content-Type (and boundary).
  const keepHeaders =
    body.kind === 'form' || body.kind === 'multipart'
      ? headers.filter((h) => h.name.toLowerCase() !== 'content-type')
      : headers
  let auth: AuthSpec = { type: 'inherit' }
  const a = parsed['auth']
  if (isObj(a)) {
    const type = str(parsed['auth_type'], 'basic')
    if (type === 'basic' || type === 'digest')
      auth = { type, username: str(a['user']), password: str(a['password']) }
    else unmapped.push(`curl: ${type} auth is not supported; left out`)
  }
  if (isObj(parsed['cookies'])) unmapped.push('curl: cookies kept as a Cookie header')
  let name = 'Pasted curl'
  try {
    const u = new URL(url)
    name = `${str(parsed['method'], 'GET').toUpperCase()} ${u.pathname.split('/').filter(Boolean).pop() ?? u.host}`
  } catch {
    // Keep the generic name.
  }
  return {
    request: request(name, {
      method: method(parsed['method'], unmapped, 'curl'),
      url,
      headers: keepHeaders,
      body,
      auth,
    }),
    unmapped,
  }
}
