import { basename } from 'node:path'
import type { HarRequest } from '@readme/httpsnippet'

/**
 * Form-data parts written into a snippet's code safely. httpsnippet writes a part's name, value, file name and
 * type into the code as they are: curl's `--form name='@path'`, fetch's `form.append('name', 'value')`,
 * requests' `files = {"name": ("path", open("path", "rb"), "type")}`. A shared collection's part named
 * `x', require('fs')…, '` or a file `it's;$(cmd);'.txt` made the snippet run that code in the shell, Node or
 * Python of the person who copied it (a value with a quote or a line break made it fail to parse). Both the Code
 * dialog and a timeline row's Copy as come through here (the worker's snippet task). (A form's fields go to
 * every language as the text Send sends, snippet-escapes.ts.)
 *
 * So httpsnippet gets a placeholder for each (letters and digits, which every generator writes as it is), and
 * each placeholder, with the quotes the generator put around it, is replaced afterwards by a literal of the
 * target's language: one shell word in single quotes for curl, a JSON string for JavaScript and Python (a
 * JSON string is a valid string literal in both). A placeholder not found where expected fails the snippet
 * rather than leave code that does not send the request.
 */

/** A form-data part as HAR writes it (what httpsnippet reads). */
interface Param {
  name: string
  value?: string
  fileName?: string
  contentType?: string
  /** A file part's own file name, sent instead of its file's (snippet-multipart.ts). */
  partFileName?: string
}

/** The file name Send sends a file part under: its own, else the one its path ends with. */
function sentFileName(p: Param): string {
  return p.partFileName ?? basename(p.fileName ?? '')
}

/**
 * httpsnippet's `target:client` whose generators write fields unescaped, by the body type, and the quote each
 * writes a placeholder in (`shell` is curl's own rule). Go's native client and the others offered escape them or
 * write the body whole as one escaped string.
 */
const MASKED: Readonly<
  Record<
    string,
    { mimeType: string; quote: "'" | '"' | 'shell'; typed: boolean; textAsFile?: true; blobs?: true }
  >
> = {
  'shell:curl': { mimeType: 'multipart/form-data', quote: 'shell', typed: false },
  'javascript:fetch': { mimeType: 'multipart/form-data', quote: "'", typed: false, blobs: true },
  'python:requests': { mimeType: 'multipart/form-data', quote: '"', typed: true, textAsFile: true },
}

/**
 * fetch's FormData takes a file as a Blob: httpsnippet wrote the file's path as a text value. The code reads each
 * file with Node's `openAsBlob` (its path relative to where it runs, the collection folder, as curl's `-F
 * name=@path`), typed as Send types it, under the file name Send sends.
 */
const FETCH_FILES = [
  '// Node.js 20 or later, as an ES module (.mjs): each file part is read from its path where this runs',
  "import { openAsBlob } from 'node:fs';",
  '',
  '',
].join('\n')

/**
 * requests' `files` as a list of `(name, tuple)` pairs: httpsnippet writes a dict, which keeps only the last of
 * two parts sharing a name (a form's `doc` twice went as one part). Done while the code holds only placeholders,
 * so no part's own text is in what is rewritten.
 */
function filesAsList(code: string, prefix: string): string {
  return code.replace(/^files = \{([^}]*)\}$/m, (_all, inner: string) => {
    const entry = new RegExp(`"(${prefix}\\d+n)": (\\((?:[^()]|\\([^()]*\\))*\\))`, 'g')
    return `files = [${inner.replace(entry, '("$1", $2)')}]`
  })
}

/** A `"placeholder": …` dict entry filesAsList left as it was: the code would not be a list. */
function dictEntryLeft(code: string, prefix: string): boolean {
  return new RegExp(`"${prefix}\\d+n": `).test(code)
}

export interface MaskedParts {
  har: HarRequest
  /** The generated code with every placeholder replaced, or why it could not be. */
  fill(code: string): string | Error
}

const UNSAFE = 'its form-data parts could not be written safely into the code'

/** A shell word that is `text` exactly: single quotes, each `'` closed, escaped and reopened. */
function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** A string literal JavaScript and Python both read back as `text`. */
function jsonString(text: string): string {
  return JSON.stringify(text)
}

/** A prefix that appears nowhere in the request, so a placeholder cannot meet the request's own text. */
export function freePrefix(har: HarRequest): string {
  const all = JSON.stringify(har)
  for (let n = 0; n < 1000; n++) if (!all.includes(`fdpart${n}x`)) return `fdpart${n}x`
  return `fdpart${Date.now()}x`
}

/** `har` with its form fields as placeholders, and how to put the real text back; null when not needed. */
export function maskParts(har: HarRequest, target: string, client: string): MaskedParts | null {
  const rule = MASKED[`${target}:${client}`]
  const params = har.postData?.params as Param[] | undefined
  if (!rule || har.postData?.mimeType !== rule.mimeType || !params?.length) return null
  const prefix = freePrefix(har)
  // Each replacement: what the generator wrote (a placeholder in its quotes), the literal it stands for, and
  // whether the generator may leave it out (only requests writes part types).
  const swaps: [written: string, literal: string, optional: boolean][] = []
  let refused: string | undefined
  const masked = params.map((p, i): Param => {
    const name = `${prefix}${i}n`
    const value = `${prefix}${i}v`
    const file = `${prefix}${i}f`
    const type = `${prefix}${i}t`
    const isFile = p.fileName !== undefined && p.fileName !== ''
    if (rule.quote === 'shell') {
      // curl -F's name ends at its first `=`: a part named `n=@/home/you/.ssh/id_rsa;x` would upload that file.
      if (p.name.includes('='))
        refused ??= `a part name with "=" (${JSON.stringify(p.name.slice(0, 60))}), which curl -F reads as the end of the name`
      // httpsnippet writes `quote(name=value)` for a text part (bare: the placeholders need no quoting) and
      // `name='@fileName'` for a file part; toHar already wrote the value and the file in curl's own syntax.
      if (isFile) swaps.push([`${name}='@${file}'`, shellWord(`${p.name}=@${p.fileName ?? ''}`), false])
      else swaps.push([`${name}=${value}`, shellWord(`${p.name}=${p.value ?? ''}`), false])
      return isFile ? { name, fileName: file } : { name, value }
    }
    const quote = rule.quote
    swaps.push([`${quote}${name}${quote}`, jsonString(p.name), false])
    if (rule.textAsFile && !isFile) {
      // requests writes a text-only form-data body as httpsnippet's own multipart text, or nothing: each text
      // part goes in `files` as a file part whose tuple is then made `(None, value[, type])`, requests' form
      // field, so the body is multipart, in the request's order, with each part's type.
      const opened = `"${file}", open("${file}", "rb")`
      const typed = p.contentType !== undefined
      swaps.push([
        typed ? `(${opened}, "${type}")` : `(${opened})`,
        `(None, ${jsonString(p.value ?? '')}${typed ? `, ${jsonString(p.contentType ?? '')}` : ''})`,
        false,
      ])
      return { name, fileName: file, ...(typed ? { contentType: type } : {}) }
    }
    if (isFile && rule.blobs) {
      const typed = p.contentType ? `, { type: ${jsonString(p.contentType)} }` : ''
      const blob = `await openAsBlob(${jsonString(p.fileName ?? '')}${typed}), ${jsonString(sentFileName(p))}`
      swaps.push([`${quote}${file}${quote}`, blob, false])
      return { name, fileName: file }
    }
    // requests sends a file part under the tuple's first item: the file name Send sends, not its path.
    if (isFile && rule.textAsFile)
      swaps.push([
        `("${file}", open("${file}", "rb")`,
        `(${jsonString(sentFileName(p))}, open(${jsonString(p.fileName ?? '')}, "rb")`,
        false,
      ])
    else if (isFile) swaps.push([`${quote}${file}${quote}`, jsonString(p.fileName ?? ''), false])
    else swaps.push([`${quote}${value}${quote}`, jsonString(p.value ?? ''), false])
    if (p.contentType !== undefined)
      swaps.push([`${quote}${type}${quote}`, jsonString(p.contentType), !rule.typed])
    return {
      name,
      ...(isFile ? { fileName: file } : { value }),
      ...(p.contentType !== undefined ? { contentType: type } : {}),
    }
  })
  return {
    har: { ...har, postData: { ...har.postData, params: masked } },
    fill: (code) => {
      if (refused !== undefined) return new Error(`it has ${refused}`)
      let out = rule.textAsFile ? filesAsList(code, prefix) : code
      if (dictEntryLeft(out, prefix)) return new Error(UNSAFE)
      for (const [written, literal, optional] of swaps) {
        if (!out.includes(written)) {
          if (optional) continue
          return new Error(UNSAFE)
        }
        // Literals never hold the prefix, so a later placeholder cannot be found inside one.
        out = out.split(written).join(literal)
      }
      if (out.includes(prefix)) return new Error(UNSAFE)
      return rule.blobs && params.some((p) => p.fileName) ? FETCH_FILES + out : out
    },
  }
}
