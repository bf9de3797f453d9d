/**
 * A request as an HTTPie command (`http`), written here rather than by httpsnippet's httpie client, whose command
 * did not send what Send sends: it piped the body through `echo` (a trailing newline added, and `\n` in the body
 * turned into a line break by dash's echo), sent a header typed with an empty value as none (`X:` unsets a
 * header in HTTPie; `X;` sends it empty), wrote form fields as request items (a field named `a:b` became a
 * header) and a file body as the text `@path`, and left stdin to HTTPie, which reads it as the body when the
 * command runs in a script.
 *
 * What HTTPie cannot do is said in a `#` line first: it percent-encodes `{ } [ ] | ^` and decodes `%41`-style
 * escapes in the URL (Flightdeck sends the URL as typed). A multipart body goes as `--multipart` items in the
 * request's order (`name=value`, `name@path;type=…`); what HTTPie cannot send as Send does is refused in words
 * (a text part with a type of its own, a file part under another file name).
 */

interface HarLike {
  method?: unknown
  url?: unknown
  queryString?: { name: string; value: string }[]
  headers?: { name: string; value: string }[]
  postData?: {
    mimeType?: string
    text?: string
    params?: {
      name: string
      value?: string
      fileName?: string
      contentType?: string
      partFileName?: string
    }[]
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

/**
 * Text in a request item read as it is: each separator character escaped. HTTPie has no escape for a backslash
 * (`\\` stays two), so a backslash before one of them cannot be written (`what` says which text, for the refusal).
 */
function itemText(text: string, what: string): string {
  if (SPECIAL.test(text))
    throw new Error(
      `HTTPie reads a backslash before :, ;, = or @ as an escape, so ${what} cannot be written for it`,
    )
  return text.replace(/[:;=@]/g, (c) => `\\${c}`)
}

type Part = NonNullable<NonNullable<HarLike['postData']>['params']>[number]

/** A multipart part as an HTTPie `--multipart` item: a text field `name=value`, a file `name@path;type=…`. */
function partItem(p: Part): string {
  const show = JSON.stringify(p.name.slice(0, 60))
  const name = itemText(p.name, `the part name ${show}`)
  if (p.fileName === undefined || p.fileName === '') {
    if (p.contentType !== undefined && p.contentType !== '')
      throw new Error(
        `HTTPie sends a text part with no type of its own, so the part ${show} typed ${p.contentType} cannot be written for it`,
      )
    return shellWord(`${name}=${itemText(p.value ?? '', `the value of the part ${show}`)}`)
  }
  const path = p.fileName
  const base = path.slice(path.lastIndexOf('/') + 1)
  if (p.partFileName !== undefined && p.partFileName !== base)
    throw new Error(
      `HTTPie sends a file part under its file's own name, so the part ${show} named ${JSON.stringify(p.partFileName)} cannot be written for it`,
    )
  // HTTPie splits the path from its type at `;type=`, after reading the escapes.
  if (path.includes(';type='))
    throw new Error(
      `HTTPie reads ";type=" in a file's path as its type, so the part ${show} cannot be written for it`,
    )
  return shellWord(`${name}@${itemText(path, `the path of the part ${show}`)};type=${p.contentType ?? ''}`)
}

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

/** The body: piped text, a file read on stdin, multipart items, or none. */
function bodyOf(har: HarLike): { pipe: string } | { file: string } | { parts: Part[] } | null {
  const post = har.postData
  if (!post) return null
  if (post.mimeType?.startsWith('multipart/')) return { parts: post.params ?? [] }
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
  const parts = body !== null && 'parts' in body ? body.parts : null
  // A multipart body's type is HTTPie's own, which names its boundary.
  if (body && type && !parts && !has('content-type')) items.unshift(headerItem('Content-Type', type))
  if (body && !has('accept')) items.unshift(shellWord('Accept:*/*'))
  if (parts) items.push(...parts.map(partItem))
  const method = shellWord(typeof har.method === 'string' ? har.method : 'GET')
  const first =
    body === null || 'parts' in body
      ? // Without it HTTPie reads stdin as the body when not run from a terminal (a script, CI).
        `http --ignore-stdin ${parts ? '--multipart ' : ''}${method} ${shellWord(url)}`
      : 'file' in body
        ? `http ${method} ${shellWord(url)} < ${shellWord(body.file)}`
        : `printf '%s' ${shellWord(body.pipe)} | http ${method} ${shellWord(url)}`
  const note = REWRITTEN.test(url)
    ? '# HTTPie sends the URL with { } [ ] | ^ percent-encoded and %-escapes of letters decoded; Flightdeck sends it as typed\n'
    : ''
  return note + partsNote(body) + [first, ...items].join(` \\\n${indent}`)
}

/**
 * HTTPie keeps a form's fields by name, so parts that share a name go out together, where the first of them is:
 * said in a `#` line when that changes the order Send sends them in.
 */
function partsNote(body: ReturnType<typeof bodyOf>): string {
  if (body === null || !('parts' in body)) return ''
  const names = body.parts.map((p) => p.name)
  const grouped = [...new Set(names)].flatMap((n) => names.filter((m) => m === n))
  if (grouped.every((n, i) => n === names[i])) return ''
  const moved = [...new Set(names.filter((n, i) => names.indexOf(n) !== i && names[i - 1] !== n))]
  return `# HTTPie sends the parts named ${moved.map((n) => JSON.stringify(n)).join(', ')} together, where the first is; Flightdeck sends each where it stands\n`
}
