import type { HarRequest } from '@readme/httpsnippet'
import { freePrefix, type MaskedParts } from './snippet-parts'

/**
 * Header names and values and the body written into PowerShell, Ruby and PHP snippets as literals. httpsnippet
 * writes them where those languages run code inside a string:
 *
 * - PowerShell (Invoke-RestMethod): a header's value in double quotes escaping only `"` and the backtick, so
 *   `$(…)` in it runs; its name, the body (`-Body '…'`) and the URL unescaped, so a `'` ends the string.
 * - Ruby (net/http): the body as a JSON string in double quotes, where `#{…}` runs; header names unescaped.
 * - PHP (curl): the body as a JSON string and each header as `"Name: value"`, double-quoted, where
 *   `{${…}}` runs.
 *
 * A request from a shared collection with a header `X-Note: $(Remove-Item …)` or a body `#{system('…')}`
 * ran that for whoever ran its Copy as. Each goes to httpsnippet as a placeholder and comes back as a
 * single-quoted string of the language, in which nothing runs: PowerShell doubles its quotes (‘ ’ ‚ ‛ are
 * quotes too), Ruby and PHP escape `\` and `'`. A `'` in the URL is sent as %27 to PowerShell.
 *
 * The body alone is written so for JavaScript (fetch, axios) and Python (requests), whose literals httpsnippet
 * escapes short of the text (below).
 */

/** A PowerShell string that is `text` exactly: single-quoted, each of PowerShell's single quotes doubled. */
export function powershellString(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => `${q}${q}`)}'`
}

/** A Ruby or PHP single-quoted string that is `text` exactly: only `\` and `'` escaped. */
export function singleQuotedString(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`
}

/**
 * A string literal of JavaScript (fetch, axios), a lone surrogate written as U+FFFD, which is what a request
 * sends for it. httpsnippet's literal (stringify-object's) leaves a backslash unescaped, so `\u00e9` went as `é`.
 */
export function javascriptString(text: string): string {
  return JSON.stringify(text).replace(/\\u(d[89a-f][0-9a-f]{2})/gi, '\\ufffd')
}

/**
 * Python's body as bytes: its str literal (JSON's escapes are Python's) encoded as UTF-8, as Send sends it.
 * A str body is encoded by what is beneath requests: UTF-8 by urllib3 2, Latin-1 by http.client under urllib3 1
 * (`é` as one byte, `€` an error).
 */
function pythonBytes(text: string): string {
  return `${javascriptString(text)}.encode()`
}

interface StringRule {
  literal: (text: string) => string
  /** How the generator quotes a header: name and value apart, or one `"Name: value"` string; none: as written. */
  header?: { name: '"'; value: '"' | "'" } | 'pair'
  /** The quote around the body's text. */
  body: '"' | "'"
  /** The quote around the content type where it is written on its own (PowerShell's -ContentType). */
  contentType?: "'"
  /** A `'` in the URL would end its string. */
  urlQuote?: boolean
}

const RULES: Readonly<Record<string, StringRule>> = {
  'powershell:restmethod': {
    literal: powershellString,
    header: { name: '"', value: '"' },
    body: "'",
    contentType: "'",
    urlQuote: true,
  },
  'ruby:native': { literal: singleQuotedString, header: { name: '"', value: "'" }, body: '"' },
  'php:curl': { literal: singleQuotedString, header: 'pair', body: '"' },
  'javascript:fetch': { literal: javascriptString, body: "'" },
  'node:axios': { literal: javascriptString, body: "'" },
  'python:requests': { literal: pythonBytes, body: '"' },
}

const UNSAFE = 'its headers or body could not be written safely into the code'

/** `har` with its header names and values and its body as placeholders; null for other targets. */
export function maskStrings(har: HarRequest, target: string, client: string): MaskedParts | null {
  const rule = RULES[`${target}:${client}`]
  if (!rule) return null
  const prefix = freePrefix(har)
  // What the generator wrote (a placeholder in its quotes), the literal, and whether it may be missing.
  const swaps: [written: string, literal: string, optional: boolean][] = []
  const headers = (har.headers as { name: string; value: string }[]).map((h, i) => {
    if (rule.header === undefined) return h
    // The content type is looked up by its name (for a body's type): that name stays, it is a plain token.
    const plain = h.name.toLowerCase() === 'content-type'
    const name = plain ? h.name : `${prefix}${i}h`
    const value = `${prefix}${i}v`
    // PowerShell's generator leaves a Connection header out.
    const optional = h.name.toLowerCase() === 'connection'
    if (rule.header === 'pair') {
      swaps.push([`"${name}: ${value}"`, rule.literal(`${h.name}: ${h.value}`), optional])
    } else if (rule.header !== undefined) {
      if (!plain)
        swaps.push([`${rule.header.name}${name}${rule.header.name}`, rule.literal(h.name), optional])
      swaps.push([`${rule.header.value}${value}${rule.header.value}`, rule.literal(h.value), optional])
    }
    if (plain && rule.contentType) swaps.push([`'${value}'`, rule.literal(h.value), true])
    return { name, value }
  })
  const text = har.postData?.text
  const body = `${prefix}b`
  if (text) swaps.push([`${rule.body}${body}${rule.body}`, rule.literal(text), false])
  return {
    har: {
      ...har,
      url: rule.urlQuote ? har.url.replace(/'/g, '%27') : har.url,
      headers,
      ...(text && har.postData ? { postData: { ...har.postData, text: body } } : {}),
    },
    fill: (code) => {
      let out = code
      for (const [written, literal, optional] of swaps) {
        if (!out.includes(written)) {
          if (optional) continue
          return new Error(UNSAFE)
        }
        // Literals never hold the prefix, so a later placeholder cannot be found inside one.
        out = out.split(written).join(literal)
      }
      return out.includes(prefix) ? new Error(UNSAFE) : out
    },
  }
}
