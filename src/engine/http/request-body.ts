import { createReadStream } from 'node:fs'
import { openAsBlob } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { Readable } from 'node:stream'
import type * as FileTypes from '../../shared/file-type'
import type { MultipartPart, RequestBody } from '../../shared/request'
import { EngineError } from './errors'

/** A request body ready for undici, with the content type it implies and its length when known. */
export interface PreparedBody {
  body: string | Buffer | Readable | null
  contentType: string | null
  length: number | null
  /**
   * What the files read for the body were when it was built (device, inode, size, modification time of each): a
   * resend builds the body again and goes only if they are unchanged, so it sends the bytes the first attempt did.
   */
  filesStamp?: string
}

/** A file as `stat` saw it: another stamp means other bytes may be read. */
function stampOf(info: { dev: number; ino: number; size: number; mtimeMs: number }): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`
}

/**
 * File bodies up to this size (a file read stream's one chunk, so no more memory than streaming it) are read
 * before sending. undici closes a connection whose answer ends before it has seen the end of a streamed body, and
 * a small file's stream ends a read later than its bytes: a server that answers as the last byte arrives made
 * every such PUT cost a new connection (3 in 50 at a node:http server, most at one that answers on the byte).
 */
const BUFFER_FILE_UP_TO = 64 * 1024

/** Multipart bodies up to this size are encoded in memory so they go out with a Content-Length. */
const BUFFER_MULTIPART_UP_TO = 64 * 1024 * 1024

/** The bodies that need no I/O to prepare, or null when `prepareBody` must run. */
export function prepareBodySync(spec: RequestBody): PreparedBody | null {
  switch (spec.kind) {
    case 'none':
      return { body: null, contentType: null, length: 0 }
    case 'text':
      return {
        body: spec.text,
        contentType: spec.contentType || 'text/plain',
        length: Buffer.byteLength(spec.text),
      }
    case 'json':
      return { body: spec.text, contentType: 'application/json', length: Buffer.byteLength(spec.text) }
    case 'form': {
      const params = new URLSearchParams()
      for (const f of spec.fields) if (f.enabled) params.append(f.name, f.value)
      const text = params.toString()
      return { body: text, contentType: 'application/x-www-form-urlencoded', length: Buffer.byteLength(text) }
    }
    default:
      return null
  }
}

/**
 * A text part sent with its own Content-Type, as Postman and Bruno send one (a JSON part beside a file):
 * undici writes a File entry's type as the part's Content-Type and leaves `filename` out when the File's name
 * is empty, so the part reads as a field, not an upload. Its bytes go as written (no line-end rewriting, as
 * those tools send them); the type is lowercased, as every Blob type is.
 */
function typedTextPart(value: string, contentType: string): File {
  return new File([value], '', { type: contentType })
}

const fileTypes = (): Promise<typeof FileTypes> => import('../../shared/file-type')

/** What a Blob's type keeps: anything else makes it empty, and undici then sends application/octet-stream. */
const PART_TYPE = /^[\x20-\x7e]*$/

/**
 * A part whose own Content-Type a part header cannot carry is refused before anything is read or sent, as a
 * header value with a line break is: undici would send it as application/octet-stream without a word.
 */
function refuseUnsendablePartType(parts: readonly MultipartPart[]): void {
  for (const part of parts) {
    if (!part.enabled || !part.contentType || PART_TYPE.test(part.contentType)) continue
    const what = /[\r\n\0]/.test(part.contentType)
      ? 'a line break or NUL'
      : 'a character outside printable ASCII'
    throw new EngineError(
      'invalid_request',
      `Part ${JSON.stringify(part.name.slice(0, 100))} has ${what} in its Content-Type ${JSON.stringify(part.contentType.slice(0, 100))}, which a part's header cannot carry: nothing was sent`,
    )
  }
}

/** A body file that is a pipe, a device or a folder: never opened (a pipe's open waits for a writer). */
function notAFile(path: string): Error {
  return Object.assign(new Error(`${path} is not a file (a pipe, a device or a folder)`), { code: 'EISDIR' })
}

/**
 * The `size` bytes of a small file, or null when it holds another number of bytes now (it changed since `stat`):
 * then it is streamed, as a larger one is, and a body that does not match its Content-Length fails as there.
 */
async function readSmallFile(path: string, size: number): Promise<Buffer | null> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(size + 1)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return bytesRead === size ? buffer.subarray(0, size) : null
  } finally {
    await handle.close()
  }
}

/**
 * Build the wire body for one hop. Called again for every hop that keeps the body (307/308), so streams from
 * files are opened fresh each time.
 */
export async function prepareBody(spec: RequestBody): Promise<PreparedBody> {
  const immediate = prepareBodySync(spec)
  if (immediate) return immediate
  switch (spec.kind) {
    case 'file': {
      const info = await stat(spec.path)
      if (!info.isFile()) throw notAFile(spec.path)
      // With no type of its own, a file goes as the type its name says, as Postman sends a binary body. The
      // table is loaded on the first body that needs it.
      const contentType = spec.contentType || (await fileTypes()).fileTypeOrDefault(spec.path)
      const bytes = info.size <= BUFFER_FILE_UP_TO ? await readSmallFile(spec.path, info.size) : null
      if (bytes) return { body: bytes, contentType, length: bytes.length, filesStamp: stampOf(info) }
      return {
        // Read to the size `stat` gave, so the stream ends as its last byte is read, not one read later (when
        // the file says EOF): undici resets a connection whose answer ends before the body's stream has, and a
        // server that answers on the last byte made a large file's PUTs open a new connection every few requests.
        body: createReadStream(spec.path, { start: 0, end: Math.max(0, info.size - 1) }),
        contentType,
        length: info.size,
        filesStamp: stampOf(info),
      }
    }
    case 'multipart': {
      refuseUnsendablePartType(spec.parts)
      // Loaded on the first multipart body: most runs never send one (see undici-parts.ts). Both are CommonJS,
      // taken by `default` (their module.exports): a bundle split at this import (esbuild's ES-module output)
      // gives a CommonJS file's chunk that export alone, where Node also finds the names.
      const [{ FormData }, { Response }] = await Promise.all([
        import('undici/lib/web/fetch/formdata.js').then((m) => m.default),
        import('undici/lib/web/fetch/response.js').then((m) => m.default),
      ])
      const form = new FormData()
      let fileBytes = 0
      const stamps: string[] = []
      for (const part of spec.parts) {
        if (!part.enabled) continue
        if (part.kind === 'text' && part.contentType) {
          form.append(part.name, typedTextPart(part.value, part.contentType))
        } else if (part.kind === 'text') {
          form.append(part.name, part.value)
        } else {
          // A file part with no type of its own goes as the type its name says, as every tool we import sends it.
          const type = part.contentType || (await fileTypes()).fileTypeOrDefault(part.path)
          // openAsBlob's open() of a named pipe waits for a writer, holding a libuv pool thread for good.
          const info = await stat(part.path)
          if (!info.isFile()) throw notAFile(part.path)
          stamps.push(stampOf(info))
          const blob = await openAsBlob(part.path, { type })
          fileBytes += blob.size
          form.append(part.name, blob, part.fileName ?? basename(part.path))
        }
      }
      // undici's Response encodes FormData per the spec and tells us the boundary.
      const encoded = new Response(form)
      const contentType = encoded.headers.get('content-type')
      if (fileBytes <= BUFFER_MULTIPART_UP_TO) {
        const buf = Buffer.from(await encoded.arrayBuffer())
        return { body: buf, contentType, length: buf.length, filesStamp: stamps.join(' ') }
      }
      const web = encoded.body
      return {
        body: web ? Readable.fromWeb(web as Parameters<typeof Readable.fromWeb>[0]) : null,
        contentType,
        length: null,
        filesStamp: stamps.join(' '),
      }
    }
    default:
      // Every kind without I/O was handled by prepareBodySync above.
      return { body: null, contentType: null, length: 0 }
  }
}

/**
 * The headers as they go on the wire: the given ones, then the body's Content-Type when none was given, and a
 * stream of known length's (a file over BUFFER_FILE_UP_TO) Content-Length: undici sends a stream chunked unless
 * told its length, and servers (LLM gateways among them) that refuse chunked uploads would refuse it. A
 * multipart body is only readable with the boundary the engine chose, so a hand-set `multipart/...` without
 * one (Insomnia saves `multipart/form-data` so) is replaced by the body's own, and `note` says so. A send, an
 * SSE request and a pushed-to HTTP/2 request all build their headers here, so each goes out framed the same.
 * `omit` (the request's `omitDefaultHeaders`) naming `content-type` sends the body with none, as curl's
 * `-H 'Content-Type:'` does.
 */
export function wireHeaders(
  given: Iterable<readonly [string, string]>,
  prepared: PreparedBody,
  omit: readonly string[] = NO_OMIT,
): WireHeaders {
  // A run sends one header list over and over: the same list, body type and kind give the same block (undici only
  // reads it), so it is made once, not an array per request. A stream body's length varies: never kept.
  const last = lastWire
  const hasBody = prepared.body !== null
  const streamed = prepared.body instanceof Readable
  if (
    !streamed &&
    last.given === given &&
    last.own === prepared.contentType &&
    last.hasBody === hasBody &&
    last.omit === omit
  )
    return last.wire
  const wire = headersOnWire(given, prepared, omit)
  if (!streamed) lastWire = { given, own: prepared.contentType, hasBody, omit, wire }
  return wire
}

export interface WireHeaders {
  /** Name, value, name, value…: as undici takes them (only read, never changed: it may be shared). */
  readonly headers: string[]
  readonly note: string | undefined
}

const NO_OMIT: readonly string[] = []

/** The last header block wireHeaders made, and what it was made from. */
let lastWire: {
  given: unknown
  own: string | null
  hasBody: boolean
  omit: readonly string[]
  wire: WireHeaders
} = { given: null, own: null, hasBody: false, omit: NO_OMIT, wire: { headers: [], note: undefined } }

function headersOnWire(
  given: Iterable<readonly [string, string]>,
  prepared: PreparedBody,
  omit: readonly string[],
): WireHeaders {
  const headers: string[] = []
  let note: string | undefined
  let hasContentType = false
  let hasLength = false
  const own = prepared.contentType
  for (const [k, v] of given) {
    if (k.toLowerCase() === 'content-length') hasLength = true
    if (k.toLowerCase() === 'content-type') {
      hasContentType = true
      if (own?.startsWith('multipart/') && /^\s*multipart\//i.test(v) && !/boundary=/i.test(v)) {
        headers.push(k, own)
        note = `Content-Type "${v.slice(0, 100)}" has no boundary: sent with the body's own, "${own}"`
        continue
      }
    }
    headers.push(k, v)
  }
  if (!hasContentType && own && prepared.body !== null && !omit.includes('content-type'))
    headers.push('content-type', own)
  if (!hasLength && prepared.body instanceof Readable && prepared.length !== null)
    headers.push('content-length', String(prepared.length))
  return { headers, note }
}
