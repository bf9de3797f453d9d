import { basename } from 'node:path'
import type { MultipartPart, RequestBody } from '../../shared/request'
import type { HeaderList } from '../../shared/timeline'
import { withRecordedPartHeaders, type HarParamLike } from './har-multipart-text'
import type { HarParam, HarPostData } from './har-types'

/**
 * A request's body as HAR 1.2 `postData`. A multipart body lists each part as a param with its own
 * `contentType`, and a file part with its `fileName` (the filename it went out with: the part's own, else the
 * last segment of its path); a file's bytes are not read into the HAR (it may be large, binary or changed since), its param says
 * where they came from.
 */

/** The type a file part went out as when it had none of its own. */
export type FileTypeOf = (path: string) => string

/** Without the file-type table loaded: the sender's fallback. */
export const unknownFileType: FileTypeOf = () => 'application/octet-stream'

export function contentTypeOf(headers: HeaderList): string {
  return headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? ''
}

export function postDataOf(
  body: RequestBody | undefined,
  headers: HeaderList,
  typeOfFile: FileTypeOf,
): HarPostData | undefined {
  if (!body) return undefined
  const declared = contentTypeOf(headers)
  switch (body.kind) {
    case 'none':
      return undefined
    case 'text':
      return { mimeType: declared || body.contentType || 'text/plain', text: body.text }
    case 'json':
      return { mimeType: declared || 'application/json', text: body.text }
    case 'form': {
      const fields = body.fields.filter((f) => f.enabled)
      return {
        mimeType: declared || 'application/x-www-form-urlencoded',
        params: fields.map((f) => ({ name: f.name, value: f.value })),
        text: new URLSearchParams(fields.map((f): [string, string] => [f.name, f.value])).toString(),
      }
    }
    case 'multipart':
      return {
        mimeType: declared || 'multipart/form-data',
        params: body.parts.filter((p) => p.enabled).map((p) => partParam(p, typeOfFile)),
      }
    case 'file':
      return {
        mimeType: declared || body.contentType || typeOfFile(body.path),
        text: '',
        comment: `file ${body.path}`,
      }
  }
}

function partParam(part: MultipartPart, typeOfFile: FileTypeOf): HarParam {
  if (part.kind === 'text') {
    return part.contentType
      ? { name: part.name, value: part.value, contentType: part.contentType }
      : { name: part.name, value: part.value }
  }
  return {
    name: part.name,
    value: '',
    // The filename it went out with (request-body.ts): the part's own when it has one, else its file's name.
    fileName: part.fileName ?? basename(part.path),
    contentType: part.contentType || typeOfFile(part.path),
    comment: `file ${part.path} (its bytes are not in the HAR)`,
  }
}

/** Most parts read from one recorded request (a request file holds at most 1,000). */
export const MAX_PARTS = 1000

/** What a recorded multipart body loses to MAX_PARTS, in words, or '' when nothing. */
export function multipartCut(post: unknown): string {
  const params = typeof post === 'object' && post !== null ? (post as { params?: unknown }).params : undefined
  if (multipartBodyOf(post) === undefined || !Array.isArray(params) || params.length <= MAX_PARTS) return ''
  const n = (x: number): string => x.toLocaleString('en-US')
  return `its multipart body has ${n(params.length)} parts: only the first ${n(MAX_PARTS)} are kept (Edit as new request, Copy as and a HAR exported again have those)`
}

/**
 * A HAR `fileName` as the file name it is (its last segment, `/` or `\\` ending a folder), or '' when none is
 * left. A browser and our export write only the name; a HAR someone shares may write a path of the reader's
 * (`/home/you/.ssh/id_rsa`), which an Untitled request would read as it is (only a collection's are confined).
 */
export function harFileName(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop() ?? ''
  return name === '.' || name === '..' ? '' : name
}

/**
 * A recorded multipart body (HAR 1.2 `params`, as our export and Firefox write it) as the request body it was:
 * text parts with their values, file parts with their `fileName` and no path (a HAR has no file bytes, and a
 * name read from where the request is sent would upload the reader's `.npmrc`: the person picks the file), each with its
 * type when it is one header line. Undefined when `post` is not multipart with params (its text, if any, stands
 * for the body as before).
 */
export function multipartBodyOf(post: unknown): RequestBody | undefined {
  if (typeof post !== 'object' || post === null) return undefined
  const {
    mimeType,
    params,
    text: recorded,
  } = post as { mimeType?: unknown; params?: unknown; text?: unknown }
  if (typeof mimeType !== 'string' || !/^multipart\/form-data\b/i.test(mimeType.trim())) return undefined
  if (!Array.isArray(params) || params.length === 0) return undefined
  const parts: MultipartPart[] = []
  const listed = params
    .slice(0, MAX_PARTS)
    .filter((p): p is HarParamLike => typeof p === 'object' && p !== null)
  // Chrome's params name a file part without its filename or type: the recorded text has them.
  for (const p of withRecordedPartHeaders(listed, mimeType, typeof recorded === 'string' ? recorded : '')) {
    const { name, value, fileName, contentType } = p as Record<string, unknown>
    const text = (v: unknown): string => (typeof v === 'string' ? v : '')
    const typed =
      typeof contentType === 'string' && /^[\x20-\x7e]{1,256}$/.test(contentType) ? { contentType } : {}
    const file = harFileName(text(fileName))
    parts.push(
      file !== '' && file.length <= 1024 && ![...file].some((c) => c < ' ' || c === '\x7f')
        ? { kind: 'file', name: text(name), path: '', fileName: file, ...typed, enabled: true }
        : { kind: 'text', name: text(name), value: text(value), ...typed, enabled: true },
    )
  }
  return parts.length > 0 ? { kind: 'multipart', parts } : undefined
}

/**
 * A request body a HAR recorded as base64 binary (a proxy's `postData.encoding`), in words: its size and type, as
 * the app says where a text body cannot hold its bytes (Edit as new request, Copy as); null for any other body.
 */
export function binaryPostWords(
  post: { mimeType: string; text: string; encoding?: string } | undefined,
): string | null {
  if (post?.encoding !== 'base64') return null
  const size = Buffer.byteLength(post.text, 'base64').toLocaleString('en-US')
  return `${size} bytes of binary (${post.mimeType || 'no type'}, base64 in the HAR)`
}
