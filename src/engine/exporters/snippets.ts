import type { HarRequest } from '@readme/httpsnippet'
import type { AuthSpec, SavedRequest, ScopedVariable } from '../../shared/collection'
import {
  snippetLabel,
  snippetTargetOf,
  type SnippetTarget,
  type SnippetTargetName,
} from '../../shared/snippet-targets'
import { fail, ok, type Result } from '../../shared/result'
import { resolveRequest } from '../../shared/template'
import type { RequestSpec } from '../../shared/request'
import { applySimpleAuth, withHeader } from '../auth/apply-auth'
import { unfilledBasic, unfilledBasicHeader } from './snippet-basic'
import { commentLine } from './snippet-comment'
import { confineBody, type FileScope } from '../files/confine'
import { graphqlSnippetRefusal, graphqlSnippetRequest } from '../graphql/graphql-snippet'
import { finishLeftOut, leaveOut, untypedFetchBody, type LeftOut } from './snippet-left-out'
import { MULTIPART_LANGUAGES, MULTIPART_TARGETS, snippetParams } from './snippet-multipart'
import { UNTYPED_MULTIPART, untypedMultipart } from '../http/untyped-multipart'
import { snippetValues } from './snippet-values'
import { sharedPool, TaskFailed, WorkerDied } from '../workers/pool'

/**
 * A request as a curl command or code, via httpsnippet. Variables are filled in from the collection and
 * environment, except secrets, which stay as `{{name}}`: a snippet is something people paste into chats.
 */

/**
 * `typeOf` is the type a file without one is sent as (the engine's guess from its name, shared/file-type.ts);
 * multipart parts are written as snippet-multipart.ts says.
 */
export function toHar(
  saved: SavedRequest,
  auth: AuthSpec,
  vars: readonly ScopedVariable[],
  typeOf: (path: string) => string = () => 'application/octet-stream',
  target: SnippetTarget = 'shell:curl',
): Result<{ har: HarRequest; curlUser: string | null; left: LeftOut }> {
  const values = snippetValues(vars)
  // Secrets and dynamic values are left as their names.
  const keep = { uuid: () => '{{$uuid}}', now: () => 0, random: () => 0 }
  // A GraphQL request is shown as the HTTP request that carries it.
  const asHttp = saved.kind === 'graphql' ? graphqlSnippetRequest(saved, values, keep) : ok(saved)
  if (!asHttp.ok) return asHttp
  const req = asHttp.value
  const resolved = resolveRequest(
    { method: req.method, url: req.url, headers: req.headers, body: req.body, options: req.options },
    auth,
    values,
    keep,
  )
  const basic = unfilledBasic(resolved.spec, resolved.auth)
  if (basic !== null) {
    // curl encodes `--user` itself (added to its output by snippet); other code gets the words to replace.
    const spec =
      target === 'shell:curl'
        ? resolved.spec
        : withHeader(resolved.spec, 'Authorization', unfilledBasicHeader(basic))
    const har = harOf(spec, typeOf, target)
    return har.ok ? ok({ ...har.value, curlUser: target === 'shell:curl' ? basic : null }) : har
  }
  const spec =
    auth.type === 'basic' || auth.type === 'bearer' || auth.type === 'apikey'
      ? applySimpleAuth(resolved.spec, resolved.auth)
      : resolved.spec
  const har = harOf(spec, typeOf, target)
  return har.ok ? ok({ ...har.value, curlUser: null }) : har
}

/**
 * curl's command with `--user 'user:password'` after its URL: Basic credentials still holding a `{{variable}}`
 * (snippet-basic.ts), encoded by curl once the person fills them in.
 */
function withCurlUser(command: string, credentials: string): string {
  const lines = command.split('\n')
  const at = lines.findIndex((l) => /^\s*(curl .*)?--url /.test(l))
  const user = `--user '${credentials.replace(/'/g, `'\\''`)}'`
  if (at === -1) return `${command} ${user}`
  const line = lines[at] as string
  const more = line.endsWith(' \\')
  lines.splice(at, 1, more ? line : `${line} \\`, `  ${user}${more ? ' \\' : ''}`)
  return lines.join('\n')
}

/** A resolved request as httpsnippet reads it. */
function harOf(
  spec: RequestSpec,
  typeOf: (path: string) => string,
  target: SnippetTarget,
): Result<{ har: HarRequest; left: LeftOut }> {
  let url: URL
  try {
    // A scheme before one slash or a backslash counts as typed (`http:/host`), as Send reads it.
    url = new URL(/^[a-z][a-z\d+.-]*:[/\\]/i.test(spec.url) ? spec.url : `http://${spec.url}`)
  } catch {
    return fail('invalid_url', `The URL does not resolve to a valid URL: ${spec.url.slice(0, 200)}`)
  }
  const headers = spec.headers
    .filter((h) => h.enabled && h.name !== '')
    .map((h) => ({ name: h.name, value: h.value }))
  const left = leaveOut(target, spec.options.omitDefaultHeaders ?? [], headers)
  headers.push(...left.headers)
  const b = spec.body
  const typeHeader = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value
  const har: HarRequest = {
    method: spec.method,
    url: url.href,
    httpVersion: 'HTTP/1.1',
    cookies: [],
    headers,
    queryString: [],
    headersSize: -1,
    bodySize: -1,
    postData: {},
  }
  const untyped = typeHeader === undefined && (spec.options.omitDefaultHeaders ?? []).includes('content-type')
  // A body's type goes out as a header too: without one, curl's --data says form-urlencoded.
  const withType = (mimeType: string): string => {
    if (untyped) return leaveTypeOut(headers, target)
    if (typeHeader === undefined) headers.push({ name: 'Content-Type', value: mimeType })
    return mimeType
  }
  if (b.kind === 'json') har.postData = { mimeType: withType(typeHeader ?? 'application/json'), text: b.text }
  else if (b.kind === 'text') har.postData = { mimeType: withType(typeHeader ?? b.contentType), text: b.text }
  else if (b.kind === 'form' && untyped) {
    // Written as the text Send sends (its fields encoded as Send encodes them), so no code adds a form's type.
    const fields = new URLSearchParams()
    for (const f of b.fields) if (f.enabled) fields.append(f.name, f.value)
    har.postData = { mimeType: leaveTypeOut(headers, target), text: fields.toString() }
  } else if (b.kind === 'form') {
    har.postData = {
      mimeType: 'application/x-www-form-urlencoded',
      params: b.fields.filter((f) => f.enabled).map((f) => ({ name: f.name, value: f.value })),
    }
  } else if (b.kind === 'multipart') {
    if (!MULTIPART_TARGETS.has(target))
      return fail(
        'unsupported',
        `No ${snippetLabel(target)} snippet for a multipart request: ${MULTIPART_LANGUAGES}`,
      )
    har.postData = {
      mimeType: 'multipart/form-data',
      params: snippetParams(b.parts, typeOf, target === 'shell:curl'),
    }
  } else if (b.kind === 'file') {
    // httpsnippet writes `@path` as the body's text: curl reads that file, the other languages' code would send
    // those letters.
    if (!FILE_BODY_TARGETS.has(target))
      return fail(
        'unsupported',
        `No ${snippetLabel(target)} snippet for a file body: the code would send the text ${JSON.stringify(`@${b.path}`)}, not the file; Copy as cURL or HTTPie reads it`,
      )
    const mimeType = withType(typeHeader ?? (b.contentType || typeOf(b.path)))
    // HTTPie's command reads the file on its stdin; curl's `@path` is sent as its bytes (snippet-escapes.ts).
    har.postData =
      target === 'shell:httpie'
        ? { mimeType, text: '', comment: `file ${b.path}` }
        : { mimeType, text: `@${b.path}`, comment: `file ${b.path}` }
  }
  if (target === 'powershell:restmethod' && har.postData?.mimeType === '') {
    // httpsnippet writes PowerShell's body only with a type (it threw without one); the note says it is sent.
    har.postData = { ...har.postData, mimeType: 'application/octet-stream' }
    headers.push({ name: 'Content-Type', value: 'application/octet-stream' })
  }
  return ok({ har, left })
}

/** The languages whose command reads a file body from its path where it runs. */
const FILE_BODY_TARGETS: ReadonlySet<SnippetTarget> = new Set(['shell:curl', 'shell:httpie'])

/** The languages that type a body of their own unless given an empty `Content-Type:` (libcurl's form, HTTPie's JSON). */
const EMPTY_TYPE: ReadonlySet<SnippetTarget> = new Set(['shell:curl', 'shell:httpie', 'php:curl'])

/**
 * A body sent with no Content-Type (`omitDefaultHeaders` names `content-type`, none typed): curl's `--data` adds
 * form-urlencoded unless told `Content-Type:` (an empty header, which curl sends as none); the other code sends
 * none when the body is plain text with no header (so no `json=`, which would add one). The type httpsnippet is
 * given: none.
 */
function leaveTypeOut(headers: { name: string; value: string }[], target: SnippetTarget): string {
  if (EMPTY_TYPE.has(target)) headers.push({ name: 'Content-Type', value: '' })
  return ''
}

const COPY_AS_REFUSES = 'Copy as writes no code for it: the code would read that file wherever it runs'

/**
 * `files`: where a saved request's files may lead (collectionFileScope). A file body or part that Send would refuse
 * as outside the collection is refused here as Send refuses it, saying what Copy as refuses: the code would read
 * that file where it is run.
 */
export async function snippet(
  req: SavedRequest,
  auth: AuthSpec,
  vars: readonly ScopedVariable[],
  name: SnippetTargetName,
  files: FileScope | null = null,
): Promise<Result<string>> {
  const target = snippetTargetOf(name)
  // In its words: the composer's older names (`curl`, `python-requests`) as they were, the others by label.
  const shown = name === target ? snippetLabel(target) : name
  const refused = req.kind === 'graphql' ? await graphqlSnippetRefusal(req, snippetValues(vars)) : null
  if (refused) return refused
  const typed = req.headers.some((h) => h.enabled && h.name.toLowerCase() === 'content-type')
  if (untypedMultipart(req.body, typed, req.options?.omitDefaultHeaders))
    return fail(
      'invalid_request',
      `Copy as writes no code for this request, which Send would refuse: ${UNTYPED_MULTIPART}`,
    )
  // The type table is loaded with the first snippet, not with the engine.
  const { fileTypeOrDefault } = await import('../../shared/file-type')
  const made = toHar(req, auth, vars, fileTypeOrDefault, target)
  if (!made.ok) return made
  const { har, curlUser, left } = made.value
  if (files && (req.body.kind === 'file' || req.body.kind === 'multipart')) {
    // Checked on the paths as resolved (a `{{dir}}/x` too); the code keeps them as written, relative to the folder.
    const resolved = resolveRequest(
      { method: req.method, url: req.url, headers: [], body: req.body, options: {} },
      auth,
      snippetValues(vars),
      { uuid: () => '', now: () => 0, random: () => 0 },
    )
    // Copy as sends nothing: it refuses to write code that would read that file.
    const confined = await confineBody(resolved.spec.body, files, COPY_AS_REFUSES)
    if (!confined.ok) return confined
  }
  const [t, client] = target.split(':') as [string, string]
  let out: string | null
  try {
    // httpsnippet runs in the worker pool (a large body is converted whole).
    out = await sharedPool().run('snippet.convert', { har, target: t, client })
  } catch (e) {
    const why =
      e instanceof TaskFailed || e instanceof WorkerDied || e instanceof Error ? e.message : String(e)
    return fail('invalid_request', `Cannot make a ${shown} snippet: ${why}`)
  }
  if (out === null) return fail('unsupported', `No ${shown} snippet for this request`)
  const params = har.postData?.params
  if (target === 'go:native' && har.postData?.mimeType === 'multipart/form-data' && params?.length) {
    // httpsnippet's Go leaves each file empty: the body is built when the program runs, its files read.
    const { goMultipart } = await import('./snippet-go-multipart')
    const go = goMultipart(out, params)
    if (go instanceof Error) return fail('invalid_request', `Cannot make a ${shown} snippet: ${go.message}`)
    out = go
  }
  if (curlUser !== null) out = withCurlUser(out, curlUser)
  // fetch types a string body text/plain: one sent with no Content-Type goes as a Blob with no type.
  if (target === 'javascript:fetch' && har.postData?.mimeType === '' && har.postData.text !== undefined)
    out = untypedFetchBody(out, har.postData.text)
  out = finishLeftOut(out, left)
  const note =
    auth.type === 'digest' || auth.type === 'oauth2'
      ? commentLine(
          target,
          `${auth.type === 'digest' ? 'Digest auth' : 'OAuth 2.0 token'} not included: Flightdeck adds it when sending`,
        )
      : ''
  return ok(note + out)
}
