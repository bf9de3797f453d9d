import { isSecretField, REDACTED } from '../secret-fields'
import type { HarDocument, HarNameValue } from './har-types'

/**
 * What an export must not carry unless the user asks for it: credentials in well-known headers and
 * cookies, and every value that came from a variable marked secret (wherever it ended up: URL, query,
 * a header, the request body or an echoing response).
 */

export { isSecretField, REDACTED }

/** Headers whose value is a credential. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
])

/** Secret values shorter than this are not searched for: replacing "a" everywhere would wreck the export. */
const MIN_SECRET_LENGTH = 4

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase())
}

/** Replaces each secret value in `text`; the longest first, so a secret that contains another goes whole. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED)
  return out
}

export function usableSecrets(values: Iterable<string>): string[] {
  const forms = [...values].filter((v) => v.length >= MIN_SECRET_LENGTH).flatMap(writtenForms)
  return [...new Set(forms)].sort((a, b) => b.length - a.length)
}

/**
 * A value as it may be written where it went: as typed, and as a URL carries it (a space or `+` percent-encoded
 * in a path or query, every reserved character encoded by a query builder, a query read back as a form decodes
 * `+`). An echoing server, a Location header or an error naming the URL show the encoded form, not the typed one.
 */
function writtenForms(value: string): string[] {
  const out = [value, encodeURIComponent(value)]
  const url = new URL('http://h/')
  url.pathname = `/${value}`
  url.search = value
  const query = url.search.slice(1)
  out.push(url.pathname.slice(1), query, formDecoded(query))
  // A form the parser shortened (`../` resolved, a tab dropped) would redact other text that holds it.
  return out.filter((form) => form.length >= value.length)
}

/** A query value read back as a form reads it (`+` a space), whole: an `&` in it does not end it here. */
function formDecoded(query: string): string {
  try {
    return decodeURIComponent(query.replace(/\+/g, ' '))
  } catch {
    return query
  }
}

function redactPairs(
  list: HarNameValue[],
  secrets: readonly string[],
  isSecretName: (n: string) => boolean,
): void {
  for (const nv of list) {
    if (isSecretName(nv.name)) nv.value = REDACTED
    else nv.value = redactText(nv.value, secrets)
  }
}

/** A URL with credential-named query values and secret values replaced. */
function redactUrl(url: string, secrets: readonly string[]): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return redactText(url, secrets)
  }
  if (u.username || u.password) {
    u.username = ''
    u.password = ''
  }
  for (const [name] of [...u.searchParams]) if (isSecretField(name)) u.searchParams.set(name, REDACTED)
  return redactText(u.href, secrets)
}

function redactForm(text: string, secrets: readonly string[]): string {
  const params = new URLSearchParams(text)
  for (const [name] of [...params]) if (isSecretField(name)) params.set(name, REDACTED)
  return redactText(params.toString(), secrets)
}

/** Credential values found by name (header, cookie, credential-named field), so echoes of them go too. */
function credentialValues(doc: HarDocument): string[] {
  const out: string[] = []
  const addHeader = (value: string): void => {
    out.push(value)
    // "Bearer abc", "Basic xyz": the credential without its scheme, as an echo might show it.
    const m = /^\S+\s+(.+)$/.exec(value)
    if (m?.[1]) out.push(m[1])
  }
  const fields = (url: string): void => {
    try {
      for (const [name, value] of new URL(url).searchParams) if (isSecretField(name)) out.push(value)
    } catch {
      // not a URL: nothing to collect
    }
  }
  for (const e of doc.log.entries) {
    for (const h of [...e.request.headers, ...e.response.headers])
      if (isSecretHeader(h.name)) addHeader(h.value)
    for (const c of [...e.request.cookies, ...e.response.cookies]) out.push(c.value)
    fields(e.request.url)
    const post = e.request.postData
    if (post?.text !== undefined && /x-www-form-urlencoded/i.test(post.mimeType))
      for (const [name, value] of new URLSearchParams(post.text)) if (isSecretField(name)) out.push(value)
    for (const p of post?.params ?? []) if (isSecretField(p.name)) out.push(p.value)
  }
  return out
}

/** Redacts the document in place. */
export function redactHar(doc: HarDocument, secretValues: Iterable<string>): void {
  const secrets = usableSecrets([...secretValues, ...credentialValues(doc)])
  for (const e of doc.log.entries) {
    const req = e.request
    req.url = redactUrl(req.url, secrets)
    redactPairs(req.headers, secrets, isSecretHeader)
    redactPairs(req.queryString, secrets, isSecretField)
    for (const c of req.cookies) c.value = REDACTED
    const post = req.postData
    if (post) {
      if (post.text !== undefined)
        post.text = /x-www-form-urlencoded/i.test(post.mimeType)
          ? redactForm(post.text, secrets)
          : redactText(post.text, secrets)
      if (post.params) redactPairs(post.params, secrets, isSecretField)
    }
    const res = e.response
    redactPairs(res.headers, secrets, isSecretHeader)
    for (const c of res.cookies) c.value = REDACTED
    res.redirectURL = redactUrl(res.redirectURL, secrets)
    if (res.content.text !== undefined && res.content.encoding !== 'base64')
      res.content.text = redactText(res.content.text, secrets)
  }
}
