import type { SnippetTarget } from '../../shared/snippet-targets'
import { javascriptString } from './snippet-strings'

/**
 * Default headers a request sends none of (its `omitDefaultHeaders`, or a timeline row whose recorded headers
 * hold none) that the copied code's tool would add of its own: the code tells the tool to send none, in that
 * tool's way, or says in a comment that it cannot. Without this, curl sent `User-Agent: curl/8…` and Python
 * `Accept-Encoding: gzip, deflate` where Flightdeck sent nothing.
 *
 * - curl adds User-Agent and Accept; an empty header (`-H 'User-Agent:'`) sends none.
 * - HTTPie adds User-Agent, Accept and Accept-Encoding; an empty one (`Accept:`) sends none of Accept, but urllib3
 *   beneath then adds its own User-Agent and `Accept-Encoding: identity`, with no way to say not to (a comment).
 * - Python requests adds User-Agent, Accept and Accept-Encoding: a header set to `None` drops requests' own,
 *   but urllib3 beneath then adds its User-Agent and `Accept-Encoding: identity`; urllib3's SKIP_HEADER sends
 *   none of those two.
 * - Go's net/http adds User-Agent (an empty one sends none) and its Transport adds `Accept-Encoding: gzip`
 *   (only a Transport with DisableCompression leaves it out: said in a comment).
 * - fetch adds User-Agent, Accept and Accept-Encoding and cannot be told not to (said in a comment).
 * - axios (Node) adds User-Agent, Accept and Accept-Encoding; a header set to `false` sends none of its own.
 * - PHP's curl is libcurl: Accept, and Accept-Encoding (httpsnippet sets CURLOPT_ENCODING); an empty header
 *   sends none, as curl's. It adds no User-Agent.
 * - Ruby's Net::HTTP sets User-Agent, Accept and Accept-Encoding when the request object is made (Post.new);
 *   deleting them after sends none.
 * - Java's OkHttp adds User-Agent and Accept-Encoding, PowerShell User-Agent and Accept-Encoding, with no way to
 *   say not to (said in a comment); C#'s HttpClient adds none of them.
 *
 * No tool adds a Cache-Control. A body's Content-Type is left out where the body is written (snippets.ts), but
 * httpsnippet types an untyped body in Java and C# (given a `null` type here) and PowerShell (named in the note).
 */

/** The tools whose own default headers Copy as leaves out, by language (snippet-targets.ts). */
type Tool =
  'curl' | 'httpie' | 'fetch' | 'python' | 'go' | 'axios' | 'php' | 'ruby' | 'java' | 'csharp' | 'powershell'

const TOOLS: Record<SnippetTarget, Tool> = {
  'shell:curl': 'curl',
  'shell:httpie': 'httpie',
  'javascript:fetch': 'fetch',
  'python:requests': 'python',
  'go:native': 'go',
  'node:axios': 'axios',
  'php:curl': 'php',
  'ruby:native': 'ruby',
  'java:okhttp': 'java',
  'csharp:httpclient': 'csharp',
  'powershell:restmethod': 'powershell',
}

/** Flightdeck's default headers that some tool adds of its own, as each is written. */
const NAMES = { 'user-agent': 'User-Agent', accept: 'Accept', 'accept-encoding': 'Accept-Encoding' } as const
/** And a body's type, which only PowerShell's code cannot leave out (httpsnippet types its -Body). */
const WRITTEN = { ...NAMES, 'content-type': 'Content-Type' } as const
type Added = keyof typeof WRITTEN

/**
 * What each tool adds of its own and how it is left out: `empty` an empty header, `None` and `SKIP_HEADER` a
 * Python value, `false` axios's, `delete` Ruby's, `null` a body's type in Java and C# (httpsnippet types an untyped
 * body application/octet-stream), `cannot` not at all.
 */
type How = 'empty' | 'None' | 'SKIP_HEADER' | 'false' | 'delete' | 'null' | 'cannot'
const ALL_THREE = ['user-agent', 'accept', 'accept-encoding'] as const
const all = (how: How): Partial<Record<Added, How>> => Object.fromEntries(ALL_THREE.map((k) => [k, how]))
const OWN: Record<Tool, Partial<Record<Added, How>>> = {
  curl: { 'user-agent': 'empty', accept: 'empty' },
  httpie: { 'user-agent': 'cannot', accept: 'empty', 'accept-encoding': 'cannot' },
  python: { 'user-agent': 'SKIP_HEADER', accept: 'None', 'accept-encoding': 'SKIP_HEADER' },
  go: { 'user-agent': 'empty', 'accept-encoding': 'cannot' },
  fetch: all('cannot'),
  axios: all('false'),
  php: { accept: 'empty', 'accept-encoding': 'empty' },
  ruby: all('delete'),
  java: { 'user-agent': 'cannot', 'accept-encoding': 'cannot', 'content-type': 'null' },
  csharp: { 'content-type': 'null' },
  powershell: { 'user-agent': 'cannot', 'accept-encoding': 'cannot', 'content-type': 'cannot' },
}

/** How a tool that cannot be told not to send them is named in the note. */
const CANNOT: Partial<Record<Tool, string>> = {
  httpie: "HTTPie's urllib3 adds its own when told not to send HTTPie's",
  go: "Go's http.Transport adds its own unless DisableCompression is set",
  fetch: 'fetch adds its own and cannot be told not to',
  java: 'OkHttp adds its own',
  powershell: 'Invoke-RestMethod adds its own',
}

/** How the code leaves out the headers the request sends none of. */
export interface LeftOut {
  /** Headers to write with an empty value (curl, Go, PHP; the others get theirs from `finishLeftOut`). */
  headers: { name: string; value: string }[]
  /** The tool, when it writes left-out headers another way than empty (`finishLeftOut`). */
  tool?: Tool | undefined
  /** Headers written empty and then given the value (or, Ruby, the line) that leaves each out. */
  values: [string, Exclude<How, 'empty' | 'cannot'>][]
  /** A comment line naming the ones the tool sends anyway, or ''. */
  note: string
}

/**
 * `leftOut`: the default headers the request sends none of; `named`: the headers the code already writes (a
 * header typed by hand is sent as typed, so nothing is left out for it).
 */
export function leaveOut(
  target: SnippetTarget,
  leftOut: readonly string[],
  named: readonly { name: string }[],
): LeftOut {
  const tool = TOOLS[target]
  const out: LeftOut = { tool, headers: [], values: [], note: '' }
  const has = new Set(named.map((h) => h.name.toLowerCase()))
  const cannot: string[] = []
  for (const [key, name] of Object.entries(WRITTEN) as [Added, string][]) {
    const how = OWN[tool][key]
    if (how === undefined || !leftOut.includes(key) || has.has(key)) continue
    if (how === 'cannot') cannot.push(name)
    else if (how === 'null') out.values.push([name, how])
    else {
      out.headers.push({ name, value: '' })
      if (how !== 'empty') out.values.push([name, how])
    }
  }
  if (cannot.length > 0) {
    const comment =
      tool === 'python' || tool === 'curl' || tool === 'httpie' || tool === 'powershell' ? '#' : '//'
    out.note = `${comment} Flightdeck sends no ${cannot.join(', ')} here; ${CANNOT[tool] ?? ''}\n`
  }
  return out
}

/** The code with the left-out headers given the values that send none, and the note first. */
export function finishLeftOut(code: string, left: LeftOut): string {
  if (left.tool !== 'python') return left.note + leftOutByTool(code, left)
  // Only in the headers' dict, which follows the payload (a JSON body may hold the same key).
  const at = code.indexOf('\nheaders = {')
  let out = code
  if (at >= 0) {
    let dict = code.slice(at)
    for (const [name, value] of left.values) dict = dict.replace(`"${name}": ""`, `"${name}": ${value}`)
    out = code.slice(0, at) + dict
  }
  if (left.values.some(([, value]) => value === 'SKIP_HEADER'))
    out = out.replace(/^import requests$/m, 'import requests\nfrom urllib3.util import SKIP_HEADER')
  return left.note + out
}

/**
 * axios's headers object (`headers: {…}`, on one line, before the body) with each left-out header `false`;
 * Ruby's `request["Name"] = ''` lines (each on its own line, before the body) as `request.delete("Name")`.
 */
function leftOutByTool(code: string, left: LeftOut): string {
  const names = left.values.map(([name]) => name)
  if (names.length === 0) return code
  if (left.tool === 'ruby')
    return names.reduce(
      (c, n) => c.replace(new RegExp(`\\nrequest\\[(['"])${n}\\1\\] = ''\\n`), `\nrequest.delete("${n}")\n`),
      code,
    )
  // The type httpsnippet gives a body that has none; no type sends no Content-Type.
  if (left.tool === 'java') return code.replace('MediaType.parse("application/octet-stream")', 'null')
  if (left.tool === 'csharp')
    return code.replace('new MediaTypeHeaderValue("application/octet-stream")', 'null')
  if (left.tool !== 'axios') return code
  const at = code.indexOf('\n  headers: {')
  if (at < 0) return code
  const end = code.indexOf('\n', at + 1)
  let line = code.slice(at, end < 0 ? code.length : end)
  for (const n of names) line = line.replace(new RegExp(`((?:'${n}'|${n}): )''`), '$1false')
  return code.slice(0, at) + line + (end < 0 ? '' : code.slice(end))
}

/** The default headers a timeline row's request went without: the tools' own ones its recorded headers lack. */
export function notSent(sent: readonly { name: string }[]): string[] {
  const has = new Set(sent.map((h) => h.name.toLowerCase()))
  return Object.keys(NAMES).filter((k) => !has.has(k))
}

/**
 * fetch sends a string body typed `text/plain;charset=UTF-8`; a body Flightdeck sends with no Content-Type goes
 * as a Blob with no type, which fetch sends untyped, its bytes the text's UTF-8, as Send's. The body's literal is
 * the one snippet-strings.ts wrote.
 */
export function untypedFetchBody(code: string, text: string): string {
  const written = `body: ${javascriptString(text)}`
  const at = code.lastIndexOf(written)
  if (at < 0) return code
  return `${code.slice(0, at)}body: new Blob([${javascriptString(text)}])${code.slice(at + written.length)}`
}
