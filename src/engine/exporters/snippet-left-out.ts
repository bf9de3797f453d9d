/**
 * Default headers a request sends none of (its `omitDefaultHeaders`, or a timeline row whose recorded headers
 * hold none) that the copied code's tool would add of its own: the code tells the tool to send none, in that
 * tool's way, or says in a comment that it cannot. Without this, curl sent `User-Agent: curl/8…` and Python
 * `Accept-Encoding: gzip, deflate` where Flightdeck sent nothing.
 *
 * - curl adds User-Agent and Accept; an empty header (`-H 'User-Agent:'`) sends none.
 * - Python requests adds User-Agent, Accept and Accept-Encoding: a header set to `None` drops requests' own,
 *   but urllib3 beneath then adds its User-Agent and `Accept-Encoding: identity`; urllib3's SKIP_HEADER sends
 *   none of those two.
 * - Go's net/http adds User-Agent (an empty one sends none) and its Transport adds `Accept-Encoding: gzip`
 *   (only a Transport with DisableCompression leaves it out: said in a comment).
 * - fetch adds User-Agent, Accept and Accept-Encoding and cannot be told not to (said in a comment).
 *
 * No tool adds a Cache-Control, and a body's Content-Type is left out where the body is written (snippets.ts).
 */

/** The languages Copy as writes, by the composer's ids (`curl`) or the timeline's (`shell:curl`). */
type Tool = 'curl' | 'fetch' | 'python' | 'go'

const TOOLS: Record<string, Tool> = {
  curl: 'curl',
  'shell:curl': 'curl',
  'javascript-fetch': 'fetch',
  'javascript:fetch': 'fetch',
  'python-requests': 'python',
  'python:requests': 'python',
  go: 'go',
  'go:native': 'go',
}

/** Flightdeck's default headers that some tool adds of its own, as each is written. */
const NAMES = { 'user-agent': 'User-Agent', accept: 'Accept', 'accept-encoding': 'Accept-Encoding' } as const
type Added = keyof typeof NAMES

/**
 * What each tool adds of its own and how it is left out: `empty` an empty header, `None` and `SKIP_HEADER` a
 * Python value, `cannot` not at all.
 */
type How = 'empty' | 'None' | 'SKIP_HEADER' | 'cannot'
const OWN: Record<Tool, Partial<Record<Added, How>>> = {
  curl: { 'user-agent': 'empty', accept: 'empty' },
  python: { 'user-agent': 'SKIP_HEADER', accept: 'None', 'accept-encoding': 'SKIP_HEADER' },
  go: { 'user-agent': 'empty', 'accept-encoding': 'cannot' },
  fetch: { 'user-agent': 'cannot', accept: 'cannot', 'accept-encoding': 'cannot' },
}

/** How the code leaves out the headers the request sends none of. */
export interface LeftOut {
  /** Headers to write with an empty value (curl, Go; Python's get their value from `finishLeftOut`). */
  headers: { name: string; value: string }[]
  /** Python headers and the value that leaves each out. */
  python: [string, 'None' | 'SKIP_HEADER'][]
  /** A comment line naming the ones the tool sends anyway, or ''. */
  note: string
}

/**
 * `leftOut`: the default headers the request sends none of; `named`: the headers the code already writes (a
 * header typed by hand is sent as typed, so nothing is left out for it).
 */
export function leaveOut(
  target: string,
  leftOut: readonly string[],
  named: readonly { name: string }[],
): LeftOut {
  const tool = TOOLS[target]
  const out: LeftOut = { headers: [], python: [], note: '' }
  if (tool === undefined) return out
  const has = new Set(named.map((h) => h.name.toLowerCase()))
  const cannot: string[] = []
  for (const [key, name] of Object.entries(NAMES) as [Added, string][]) {
    const how = OWN[tool][key]
    if (how === undefined || !leftOut.includes(key) || has.has(key)) continue
    if (how === 'cannot') cannot.push(name)
    else {
      out.headers.push({ name, value: '' })
      if (how !== 'empty') out.python.push([name, how])
    }
  }
  if (cannot.length > 0) {
    const comment = tool === 'python' || tool === 'curl' ? '#' : '//'
    const how =
      tool === 'go'
        ? "Go's http.Transport adds its own unless DisableCompression is set"
        : 'fetch adds its own and cannot be told not to'
    out.note = `${comment} Flightdeck sends no ${cannot.join(', ')} here; ${how}\n`
  }
  return out
}

/** The code with Python's left-out headers given the values that send none, and the note first. */
export function finishLeftOut(code: string, left: LeftOut): string {
  // Only in the headers' dict, which follows the payload (a JSON body may hold the same key).
  const at = code.indexOf('\nheaders = {')
  let out = code
  if (at >= 0) {
    let dict = code.slice(at)
    for (const [name, value] of left.python) dict = dict.replace(`"${name}": ""`, `"${name}": ${value}`)
    out = code.slice(0, at) + dict
  }
  if (left.python.some(([, value]) => value === 'SKIP_HEADER'))
    out = out.replace(/^import requests$/m, 'import requests\nfrom urllib3.util import SKIP_HEADER')
  return left.note + out
}

/** The default headers a timeline row's request went without: the tools' own ones its recorded headers lack. */
export function notSent(sent: readonly { name: string }[]): string[] {
  const has = new Set(sent.map((h) => h.name.toLowerCase()))
  return Object.keys(NAMES).filter((k) => !has.has(k))
}

/**
 * fetch sends a string body typed `text/plain;charset=UTF-8`; a body Flightdeck sends with no Content-Type goes
 * as a Blob with no type, which fetch sends untyped, its bytes the text's UTF-8, as Send's. The text is written
 * as its JSON string (httpsnippet's literal leaves a backslash unescaped, so `\u00e9` went as `é`).
 */
export function untypedFetchBody(code: string, text: string): string {
  // The body is the options' last entry, its literal on one line (line breaks escaped), ending it.
  const start = code.lastIndexOf("body: '")
  const lineEnd = code.indexOf('\n', start)
  const line = code.slice(start, lineEnd < 0 ? code.length : lineEnd)
  const end = line.lastIndexOf("'")
  if (start < 0 || end <= 6) return code
  return `${code.slice(0, start)}body: new Blob([${JSON.stringify(text)}])${code.slice(start + end + 1)}`
}
