/**
 * Where httpsnippet's code does not send what the request holds, and how Flightdeck works around it:
 *
 * - Every language: a JSON body was parsed and written again (curl pretty-printed it, Python and JavaScript
 *   wrote an object serialised their own way, and a Python dict's strings broke on a newline or a backslash), a
 *   text body typed as a form was written empty, and a form's fields were encoded each language's own way. Such
 *   a body goes to the generator as the text Send sends, its type in the headers, so each writes it as a string
 *   literal: the same bytes sent (snippet-strings.ts writes the literal where httpsnippet's escapes fall short).
 * - curl: httpsnippet rebuilds the query, percent-encoding what a send puts on the wire as typed (`{{`, `[]`,
 *   `|`), so a server that reads the raw line (a signature, a router) saw another request. The command gets the
 *   URL as sent, with `--globoff` where it holds braces or brackets, which curl would otherwise expand.
 * - curl: `--data @name` sends the file `name`, so a text body `@secret.txt` uploaded the copier's own file
 *   (and a JSON or form body typed so). A body whose text starts with `@` goes as `--data-raw`, which sends it
 *   as written. A file body (`@path`, its HAR comment `file path`) goes as `--data-binary`: `--data @path`
 *   drops the file's CR and LF.
 */

interface HarLike {
  headers?: { name: string; value: string }[]
  postData?: { mimeType?: string; text?: string; comment?: string }
}

/**
 * The types whose body httpsnippet rewrites: a JSON body is parsed and written again (curl pretty-printed it,
 * fetch, axios and Python wrote an object of the language, serialised their own way), and a form type keeps only
 * a form's fields (a text body so typed was written empty) and encodes them its own way.
 */
const REWRITTEN_TYPE = /json|^application\/x-www-form-urlencoded\s*(;|$)/i

/**
 * Java's `MediaType.parse("…")` and C#'s `new MediaTypeHeaderValue("…")` hold the body's type as httpsnippet got
 * it, unescaped: a shared request typed `text/plain; x="\"); Runtime.getRuntime().exec(…); //"` ran that for
 * whoever ran its Copy as Java or C#, and a quoted parameter (`charset="utf-8"`) did not compile. Such a type goes
 * to the generator as the placeholder below too, and comes back as a string literal (`typeAsSent`). Multipart
 * is not written in either language (snippet-multipart.ts).
 */
function typeWrittenBare(target: string, type: string): boolean {
  return (target === 'java' || target === 'csharp') && type !== '' && !/^multipart\//i.test(type)
}

/** The type httpsnippet is given for a JSON or form body written as its text: one no generator knows. */
const AS_TEXT = /^fdtype\d+x$/

/**
 * A JSON or form body as the text Send sends (a form's fields encoded as Send encodes them), its type in the
 * headers. curl is given no type (it types the body from the headers); the others a placeholder, which
 * `snippetOutput` replaces with the body's type where a generator writes it (Java's MediaType, C#'s
 * MediaTypeHeaderValue).
 */
export function snippetInput(har: unknown, target: string): unknown {
  const h = har as (HarLike & { postData?: { params?: { name: string; value?: string }[] } }) | null
  const post = h?.postData
  const type = post?.mimeType ?? ''
  if (!h || !post || !(REWRITTEN_TYPE.test(type) || typeWrittenBare(target, type))) return har
  const text =
    post.params && post.params.length > 0
      ? new URLSearchParams(post.params.map((p): [string, string] => [p.name, p.value ?? ''])).toString()
      : (post.text ?? '')
  const headers = h.headers ?? []
  const typed = headers.some((x) => x.name.toLowerCase() === 'content-type')
  const all = JSON.stringify(har)
  let n = 0
  while (all.includes(`fdtype${n}x`)) n++
  return {
    ...h,
    headers: typed ? headers : [...headers, { name: 'Content-Type', value: post.mimeType ?? '' }],
    // A file body's comment says so (curlDataAsSent).
    postData: { ...post, params: undefined, mimeType: target === 'shell' ? '' : `fdtype${n}x`, text },
  }
}

/** The code with the placeholder type of `snippetInput` replaced by the body's type, where it is written. */
function typeAsSent(code: string, har: unknown): string {
  const h = har as HarLike
  const placeholder = h.postData?.mimeType ?? ''
  if (!AS_TEXT.test(placeholder)) return code
  const type = h.headers?.find((x) => x.name.toLowerCase() === 'content-type')?.value ?? ''
  const written = JSON.stringify(placeholder)
  // C#'s constructor takes a bare media type and throws FormatException at one with parameters
  // (`application/json; charset=utf-8`, a boundary); `MediaTypeHeaderValue.Parse` reads the whole value.
  const out = code
    .split(`new MediaTypeHeaderValue(${written})`)
    .join(`MediaTypeHeaderValue.Parse(${written})`)
    .split(written)
    .join(JSON.stringify(type))
  if (out.includes(placeholder)) throw new Error('its body type could not be written into the code')
  return out
}

export function snippetOutput(code: string, har: unknown, target: string, client: string): string {
  if (target === 'shell' && client === 'curl') return curlUrlAsSent(curlDataAsSent(code, har), har)
  return typeAsSent(code, har)
}

/** httpsnippet's `--url 'http://…'` (quoted when it needs to be). */
const CURL_URL = /--url ('(?:[^']|'\\'')*'|[^\s']+)/

/**
 * curl's `--url` as the send puts it on the wire: the request's URL (without its fragment, as httpsnippet writes it),
 * when the HAR's query list is that URL's own (a saved request's is empty, a recorded one's is parsed from it).
 */
function curlUrlAsSent(code: string, har: unknown): string {
  const h = har as { url?: unknown; queryString?: { name: string; value: string }[] }
  if (typeof h.url !== 'string') return code
  let url: URL
  try {
    url = new URL(h.url)
  } catch {
    return code
  }
  const listed = h.queryString ?? []
  const own = [...url.searchParams]
  if (
    listed.length > 0 &&
    (listed.length !== own.length || listed.some((q, i) => q.name !== own[i]?.[0] || q.value !== own[i]?.[1]))
  )
    return code
  url.hash = ''
  const sent = url.href
  const globs = /[{}[\]]/.test(sent) ? ' --globoff' : ''
  return code.replace(CURL_URL, () => `--url '${sent.replace(/'/g, "'\\''")}'${globs}`)
}

/** httpsnippet's shell word (its `quote`): bare when every character is safe, else single-quoted. */
function httpsnippetQuote(text: string): string {
  return /^[a-z0-9-_/.@%^=:]+$/i.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`
}

/**
 * curl's body flag for a body curl would read as a file name: `--data-raw` for text starting with `@`,
 * `--data-binary` for a file body. httpsnippet writes the body last, as `--data <word>`; a command that does not
 * end so is refused rather than left reading a file.
 */
function curlDataAsSent(code: string, har: unknown): string {
  const post = (har as HarLike).postData
  const text = post?.text ?? ''
  const file = /^file /.test(post?.comment ?? '') && text.startsWith('@')
  if (!file && !text.startsWith('@')) return code
  const written = `--data ${httpsnippetQuote(text)}`
  if (!code.endsWith(written))
    throw new Error(
      'its body starts with @, which curl would read as a file name, and could not be written as text',
    )
  return `${code.slice(0, -written.length)}${file ? '--data-binary' : '--data-raw'} ${httpsnippetQuote(text)}`
}
