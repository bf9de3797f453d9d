/**
 * A request as an HTTPie command (`http`), written here rather than by httpsnippet's httpie client, whose command
 * did not send what Send sends: it piped the body through `echo` (a trailing newline added, and `\n` in the body
 * turned into a line break by dash's echo), sent a header typed with an empty value as none (`X:` unsets a
 * header in HTTPie; `X;` sends it empty), wrote form fields as request items (a field named `a:b` became a
 * header) and a file body as the text `@path`, and left stdin to HTTPie, which reads it as the body when the
 * command runs in a script.
 *
 * What HTTPie cannot do is said in a `#` line first: it percent-encodes `{ } [ ] | ^` and decodes `%41`-style
 * escapes in the URL (Flightdeck sends the URL as typed), and it writes no multipart parts (refused by the callers,
 * as for the other languages that cannot).
 */

interface HarLike {
  method?: unknown
  url?: unknown
  queryString?: { name: string; value: string }[]
  headers?: { name: string; value: string }[]
  postData?: {
    mimeType?: string
    text?: string
    params?: { name: string; value?: string }[]
    comment?: string
  }
}

/** The headers HTTPie adds of its own: an empty one means "send none" (`Name:`), as the other tools' are left out. */
const OWN = new Set(['user-agent', 'accept', 'accept-encoding', 'content-type'])

/** A word for sh: as it is when nothing in it is special, else single-quoted. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}

/** HTTPie's request-item separators' characters: a backslash before one is read as an escape. */
const SPECIAL = /\\[:;=@]/

/** A header as an HTTPie request item. */
function headerItem(name: string, value: string): string {
  if (value === '') return shellWord(OWN.has(name.toLowerCase()) ? `${name}:` : `${name};`)
  if (SPECIAL.test(value))
    throw new Error(
      `HTTPie reads a backslash before :, ;, = or @ as an escape, so the header ${JSON.stringify(name)} cannot be written for it`,
    )
  // `Name:=x` and `Name:@x` are other items (a JSON field, a header from a file): the first character escaped.
  return shellWord(`${name}:${/^[=@]/.test(value) ? '\\' : ''}${value}`)
}

/** The URL as sent: the HAR's URL, with its query list when the URL has none of its own (a HAR's parsed query). */
function urlOf(har: HarLike): string {
  const url = typeof har.url === 'string' ? har.url : ''
  const query = har.queryString ?? []
  if (query.length === 0 || url.includes('?')) return url
  return `${url}?${new URLSearchParams(query.map((q): [string, string] => [q.name, q.value])).toString()}`
}

/** Characters HTTPie percent-encodes, and escapes of unreserved characters it decodes. */
const REWRITTEN = /[{}[\]|^]|%(?:3[0-9]|4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a]|2d|2e|5f|7e)/i

/** The body: piped text, a file read on stdin, or none. */
function bodyOf(har: HarLike): { pipe: string } | { file: string } | null {
  const post = har.postData
  if (!post) return null
  if (post.mimeType?.startsWith('multipart/'))
    throw new Error('HTTPie is not written with multipart parts: copy as cURL, fetch, Python or Go')
  const file = /^file (.+)$/s.exec(post.comment ?? '')
  if (file && !post.text) return { file: file[1] as string }
  if (post.text) return { pipe: post.text }
  if (post.params?.length)
    return {
      pipe: new URLSearchParams(post.params.map((p): [string, string] => [p.name, p.value ?? ''])).toString(),
    }
  return null
}

export function httpieCommand(har: HarLike, indent = '  '): string {
  const url = urlOf(har)
  const body = bodyOf(har)
  const headers = har.headers ?? []
  const items = headers.map((h) => headerItem(h.name, h.value))
  const has = (name: string): boolean => headers.some((h) => h.name.toLowerCase() === name)
  // A body makes HTTPie ask for JSON (Accept: application/json, */*;q=0.5) and type it JSON; Send asks for
  // anything, and types it as the body's kind says (a form's type is the HAR's alone).
  const type = har.postData?.mimeType
  if (body && type && !has('content-type')) items.unshift(headerItem('Content-Type', type))
  if (body && !has('accept')) items.unshift(shellWord('Accept:*/*'))
  const method = shellWord(typeof har.method === 'string' ? har.method : 'GET')
  const first =
    body === null
      ? // Without it HTTPie reads stdin as the body when not run from a terminal (a script, CI).
        `http --ignore-stdin ${method} ${shellWord(url)}`
      : 'file' in body
        ? `http ${method} ${shellWord(url)} < ${shellWord(body.file)}`
        : `printf '%s' ${shellWord(body.pipe)} | http ${method} ${shellWord(url)}`
  const note = REWRITTEN.test(url)
    ? '# HTTPie sends the URL with { } [ ] | ^ percent-encoded and %-escapes of letters decoded; Flightdeck sends it as typed\n'
    : ''
  return note + [first, ...items].join(` \\\n${indent}`)
}
