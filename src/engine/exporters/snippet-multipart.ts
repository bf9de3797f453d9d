import type { MultipartPart } from '../../shared/request'
import type { SnippetTarget } from '../../shared/snippet-targets'

/**
 * The languages whose code reads a file part from its path and writes each part as a literal (snippet-parts.ts;
 * HTTPie's `--multipart` items, snippet-httpie.ts).
 */
export const MULTIPART_TARGETS: ReadonlySet<SnippetTarget> = new Set([
  'shell:curl',
  'shell:httpie',
  'javascript:fetch',
  'python:requests',
  'go:native',
])

/** Those languages, in the words a refusal names them. */
export const MULTIPART_LANGUAGES =
  'Copy as cURL, HTTPie, JavaScript (fetch), Python (requests) or Go writes its parts'

/** A form-data part as httpsnippet reads it from a HAR's `postData.params`. */
export interface SnippetParam {
  name: string
  value?: string
  fileName?: string
  contentType?: string
  /** A file part's own file name, sent instead of its file's (HTTPie cannot send one: snippet-httpie.ts refuses it). */
  partFileName?: string
}

/**
 * A multipart body's enabled parts as the params httpsnippet writes into code: a file part by its path (the
 * snippet reads the file when it is run; its bytes are never put in the code), each part with the type
 * Flightdeck sends it with (`typeOf`: the guess from a file's name when it has none of its own).
 *
 * For curl, each part is written in curl's own syntax: httpsnippet's curl leaves a part's type out, and curl's
 * own guess knows a dozen extensions, so the type goes in `;type=`. A text part's value and a file part's path
 * go in curl's double quotes, so a value starting with `@` or `<` is sent as text, not read from a file, and a
 * path with `;` or `,` is read whole. A file part's own filename goes in `;filename="…"`, as curl sends it. (snippet-parts.ts then makes each a shell word.)
 */
export function snippetParams(
  parts: readonly MultipartPart[],
  typeOf: (path: string) => string,
  curl: boolean,
): SnippetParam[] {
  return parts
    .filter((p) => p.enabled)
    .map((p) => {
      const type = p.kind === 'file' ? p.contentType || typeOf(p.path) : p.contentType
      if (curl)
        return p.kind === 'text'
          ? { name: p.name, value: `"${curlQuoted(p.value)}"${type ? `;type=${type}` : ''}` }
          : {
              name: p.name,
              fileName: `"${curlQuoted(p.path)}"${p.fileName ? `;filename="${curlQuoted(p.fileName)}"` : ''};type=${type ?? ''}`,
            }
      const typed = type ? { contentType: type } : {}
      return p.kind === 'text'
        ? { name: p.name, value: p.value, ...typed }
        : { name: p.name, fileName: p.path, ...typed, ...(p.fileName ? { partFileName: p.fileName } : {}) }
    })
}

/** A value inside curl -F's double quotes: a backslash and a double quote escaped. */
function curlQuoted(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`)
}
