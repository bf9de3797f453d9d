/**
 * Where httpsnippet's code does not send what the request holds, and how Flightdeck works around it. All three
 * bite GraphQL first (its documents span lines, name variables with `$` and escape quotes in strings), but any
 * JSON body can hit them:
 *
 * - curl: a JSON body with a `'` is written as an unquoted heredoc (`--data @- <<EOF`), in which the shell
 *   expands `$id`, backticks and `\\`. The delimiter is quoted (`<<'EOF'`), so the body goes as written.
 * - Python requests: a JSON body becomes a dict literal whose strings escape only `"`, so a newline or a
 *   backslash inside a string breaks the program (or changes the value). Such a body is given to the
 *   generator as text (its type kept in the headers), which it writes as a JSON string literal: valid Python,
 *   the same bytes sent.
 * - curl: httpsnippet rebuilds the query, percent-encoding what a send puts on the wire as typed (`{{`, `[]`,
 *   `|`), so a server that reads the raw line (a signature, a router) saw another request. The command gets the
 *   URL as sent, with `--globoff` where it holds braces or brackets, which curl would otherwise expand.
 * - JavaScript fetch and Node axios: the body's object literal (stringify-object) leaves backslashes
 *   unescaped, so `\\"` in a string ends it. A body with a backslash is written as its JSON instead, which is a
 *   valid object literal. * - curl: a form's fields went unencoded (`--data 'a=x y&z=1'`), and a text body typed as a form was dropped: the
 *   form goes as the text Send sends.
 * - curl: `--data @name` sends the file `name`, so a text body `@secret.txt` uploaded the copier's own file
 *   (and a JSON or form body typed so). A body whose text starts with `@` goes as `--data-raw`, which sends it
 *   as written. A file body (`@path`, its HAR comment `file path`) goes as `--data-binary`: `--data @path`
 *   drops the file's CR and LF.
 */

interface HarLike {
  headers?: { name: string; value: string }[]
  postData?: { mimeType?: string; text?: string; comment?: string }
}

/** The JSON body's text when it has a backslash (an escape in some string), else null. */
function escapedJson(har: unknown): string | null {
  if (typeof har !== 'object' || har === null) return null
  const pd = (har as HarLike).postData
  if (!pd || pd.mimeType !== 'application/json' || !(pd.text ?? '').includes('\\')) return null
  try {
    JSON.parse(pd.text ?? '')
    return pd.text ?? null
  } catch {
    return null
  }
}

/** A form's type, with or without parameters (`; charset=UTF-8`). */
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i

/**
 * curl's form as the text sent. httpsnippet writes a form's fields as `--data 'a=x y&z=1'`, each value unencoded
 * (sent as typed, another form), and a form typed body given as text as `--data ''` (it keeps a form's
 * fields only). curl gets the text Send sends, encoded as Send encodes fields, with no type of httpsnippet's own:
 * `--data` sends form-urlencoded by itself, and a typed Content-Type is among the headers.
 */
function curlFormAsText(
  har: HarLike & { postData: { params?: { name: string; value?: string }[] } },
): unknown {
  const post = har.postData
  const text =
    post.params && post.params.length > 0
      ? new URLSearchParams(post.params.map((p): [string, string] => [p.name, p.value ?? ''])).toString()
      : (post.text ?? '')
  return { ...har, postData: { mimeType: '', text } }
}

export function snippetInput(har: unknown, target: string): unknown {
  const post = (har as HarLike | null)?.postData
  if (target === 'shell' && post && FORM_TYPE.test(post.mimeType ?? ''))
    return curlFormAsText(har as Parameters<typeof curlFormAsText>[0])
  if (target !== 'python' || escapedJson(har) === null) return har
  const h = har as HarLike
  const headers = h.headers ?? []
  const typed = headers.some((x) => x.name.toLowerCase() === 'content-type')
  return {
    ...h,
    headers: typed ? headers : [...headers, { name: 'Content-Type', value: 'application/json' }],
    postData: { ...h.postData, mimeType: 'text/plain' },
  }
}

/** Where the JavaScript targets write the body's object literal (the last key of their options). */
const JS_BODY: Record<string, { key: string; close: string }> = {
  'javascript:fetch': { key: '\n  body: JSON.stringify(', close: ')' },
  'node:axios': { key: '\n  data: ', close: '' },
}

export function snippetOutput(code: string, har: unknown, target: string, client: string): string {
  if (target === 'shell' && client === 'curl')
    return curlUrlAsSent(curlDataAsSent(code, har).replace(/ @- <<EOF\n/g, " @- <<'EOF'\n"), har)
  const js = JS_BODY[`${target}:${client}`]
  const text = js ? escapedJson(har) : null
  if (!js || text === null) return code
  const start = code.indexOf(js.key)
  const end = start < 0 ? -1 : code.indexOf('\n};\n', start)
  if (end < 0) return code
  const json = JSON.stringify(JSON.parse(text) as unknown, null, 2).replace(/\n/g, '\n  ')
  return `${code.slice(0, start)}${js.key}${json}${js.close}${code.slice(end)}`
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
