import { isAbsolute } from 'node:path'
import type { SnippetTarget } from '../../shared/body-view'
import { finishLeftOut, leaveOut, notSent, untypedFetchBody } from '../exporters/snippet-left-out'
import { MULTIPART_LANGUAGES, MULTIPART_TARGETS, snippetParams } from '../exporters/snippet-multipart'
import type { SessionRecord } from '../sessions/session-records'
import { sharedPool, TaskFailed } from '../workers/pool'
import { harRequestOf } from './har-export'
import { binaryPostWords, type FileTypeOf } from './har-post-data'
import type { HarRequest } from './har-types'

/** Headers that describe the connection, not the request: a snippet that sets them would be wrong or noisy. */
const LEAVE_OUT = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'user-agent'])

/**
 * A recorded request as httpsnippet should read it, or why it cannot be written. A multipart body goes as its
 * parts (a file part by its path, never its bytes), the way the Code dialog writes a saved request's
 * (snippet-multipart.ts; Go's body built when the program runs, its files read, snippet-go-multipart.ts): the HAR's `multipart/form-data; boundary=…` type and header are the sent body's, and
 * httpsnippet, which builds its own body and boundary, wrote no parts for them, only a header naming a boundary
 * no body had. The other languages get a multipart body as one text httpsnippet writes, with each file empty
 * and names and types unescaped in some (PowerShell, Ruby, PHP): they are refused, naming the ones that work.
 */
export function sessionSnippetRequest(
  r: SessionRecord,
  typeOfFile: FileTypeOf,
  target: SnippetTarget,
): { request: HarRequest; leftOut: string[]; note?: string } | { refused: string } {
  const binary = binaryPostWords(r.imported?.postData)
  if (binary !== null)
    return {
      refused: `No ${target} snippet for this request: its body is ${binary}, which code written as text would send as its letters (import the HAR into a collection and copy it from there)`,
    }
  const req = harRequestOf(r, typeOfFile)
  // The default headers it went without, which the code's tool would add of its own (snippet-left-out.ts).
  const leftOut = r.sent && !r.imported ? notSent(req.headers) : []
  const body = r.requestBody
  if (body?.kind !== 'multipart') {
    const request = untypedAsSent(r, req, target)
    if (request.postData?.mimeType !== '') return { request, leftOut }
    // Sent untyped: the code's tool is told to send no type where it types a body of its own (Java, C#), and
    // PowerShell's, which httpsnippet writes only with one, says it sends one.
    const untyped = [...leftOut, 'content-type']
    if (target !== 'powershell:restmethod') return { request, leftOut: untyped }
    return { request: { ...request, headers: [...request.headers, UNTYPED] }, leftOut: untyped }
  }
  if (!MULTIPART_TARGETS.has(target))
    return {
      refused: `No ${target} snippet for a multipart request: ${MULTIPART_LANGUAGES}`,
    }
  // A recorded file part has no path until one is chosen: the code names the file the recording sent, which the
  // reader's program reads where it runs (its own choice, in code it can read), as before.
  const parts = body.parts.map((p) => {
    if (p.kind !== 'file' || p.path !== '' || p.fileName === undefined) return p
    const { fileName, ...rest } = p
    return { ...rest, path: fileName }
  })
  const params = snippetParams(parts, typeOfFile, target === 'shell:curl')
  // A sent request's file parts are named by the paths the engine opened (the collection's, resolved): the code
  // reads those files on this machine from wherever it runs, not the request's relative paths.
  const absolute = parts.some((p) => p.kind === 'file' && p.enabled && isAbsolute(p.path))
  return {
    request: {
      ...req,
      headers: req.headers.filter((h) => h.name.toLowerCase() !== 'content-type'),
      postData: { mimeType: 'multipart/form-data', params: params.map((p) => ({ value: '', ...p })) },
    },
    leftOut,
    ...(absolute ? { note: SENT_FILE_PATHS } : {}),
  }
}

/** What a row's code says of file parts named by the absolute paths they were sent from. */
export const SENT_FILE_PATHS =
  "Each file part is read from the absolute path it was sent from; the Code dialog writes the request's own paths, relative to its collection"

/** The type httpsnippet gives a body that has none, which PowerShell's code must write (`-ContentType`). */
const UNTYPED = { name: 'Content-Type', value: 'application/octet-stream' }

/** The languages that type a body of their own unless given an empty `Content-Type:` (libcurl's form, HTTPie's JSON). */
const EMPTY_TYPE: ReadonlySet<SnippetTarget> = new Set(['shell:curl', 'shell:httpie', 'php:curl'])

/**
 * A body Flightdeck sent with no Content-Type (the request's omitDefaultHeaders; the recorded headers are those
 * sent) as code that sends none either: plain text with no type, and for curl and PHP an empty `Content-Type:`
 * (libcurl's POST adds form-urlencoded), as the Code dialog writes it (exporters/snippets.ts).
 */
function untypedAsSent(r: SessionRecord, req: HarRequest, target: SnippetTarget): HarRequest {
  const post = req.postData
  if (!r.sent || r.imported || post?.text === undefined || r.requestBody?.kind === 'file') return req
  if (req.headers.some((h) => h.name.toLowerCase() === 'content-type')) return req
  return {
    ...req,
    headers: EMPTY_TYPE.has(target) ? [...req.headers, { name: 'Content-Type', value: '' }] : req.headers,
    postData: { mimeType: '', text: post.text },
  }
}

/**
 * A request as code, written by httpsnippet (ReadMe's maintained fork) from the request's HAR form. It runs in
 * the engine's worker pool (the library uses Node's `url` module, and a large body is converted whole).
 * `leftOut`: the default headers the request went without, which the code tells its tool not to send.
 */
export async function snippet(
  request: HarRequest,
  target: SnippetTarget,
  leftOut: readonly string[] = [],
): Promise<string | null> {
  const [targetId, clientId] = target.split(':') as [string, string]
  const kept = request.headers.filter((h) => !LEAVE_OUT.has(h.name.toLowerCase()) && !h.name.startsWith(':'))
  // PowerShell's added type is not one the request typed: it is named in the note.
  const left = leaveOut(
    target,
    leftOut,
    kept.filter((h) => h !== UNTYPED),
  )
  const input = {
    ...request,
    headers: [...kept, ...left.headers],
    // httpsnippet reads cookies from `cookies`; the Cookie header would be written twice.
    cookies: [],
    httpVersion: 'HTTP/1.1',
    ...(request.postData ? { postData: { ...request.postData, text: request.postData.text ?? '' } } : {}),
  }
  let code: string | null
  try {
    code = await sharedPool().run('snippet.convert', {
      har: input,
      target: targetId,
      client: clientId,
      indent: '  ',
    })
  } catch (e) {
    // As httpsnippet threw it, when it ran here.
    throw e instanceof TaskFailed ? new Error(e.failure.message) : e
  }
  if (code === null) return null
  const post = input.postData
  // fetch types a string body text/plain: one sent with no Content-Type goes as a Blob with no type.
  if (target === 'javascript:fetch' && post?.mimeType === '' && post.text !== undefined)
    code = untypedFetchBody(code, post.text)
  const params = post?.params
  if (target === 'go:native' && post?.mimeType === 'multipart/form-data' && params?.length) {
    // httpsnippet's Go leaves each file empty: the Code dialog's writer builds the body when the program runs.
    const { goMultipart } = await import('../exporters/snippet-go-multipart')
    const go = goMultipart(code, params)
    if (go instanceof Error) throw go
    code = go
  }
  return finishLeftOut(code, left)
}
