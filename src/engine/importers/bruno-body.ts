import type { MultipartPart, RequestBody } from '../../shared/request'
import { pairsOf, textOf, type BruBlock, type BruPair } from './bru-lang'
import { jsonAsSent } from './json-comments'
import { partContentType } from './plan'

/** A `.bru` request's body, by its mode (`body: json`, `multipartForm`, …). */

type Blocks = Map<string, BruBlock>

const ANNOTATION = '@contentType('

/**
 * Bruno's annotation after a multipart value, `value @contentType(…)`: the value before it (trailing spaces
 * dropped) and the part's own Content-Type, up to the value's last `)`. Found by indexOf, not a pattern with
 * `\s*` beside lazy groups, which backtracked quadratically on a long run of spaces.
 */
function contentTypeOf(value: string): [value: string, type: string] | undefined {
  const at = value.indexOf(ANNOTATION)
  const tail = value.trimEnd()
  const close = tail.length - 1
  if (at < 0 || !tail.endsWith(')') || close < at + ANNOTATION.length) return undefined
  return [value.slice(0, at).trimEnd(), value.slice(at + ANNOTATION.length, close)]
}

/**
 * One row of `body:multipart-form`: a text part (`name: value @contentType(application/json)`) or file parts
 * (`name: @file(a.png|b.png) @contentType(image/png)`: a part of that name for each file, as Bruno's
 * createFormData appends them), each sent with its Content-Type as Bruno sends it.
 */
function part(p: BruPair, u: string[], where: string): MultipartPart[] {
  const typed = contentTypeOf(p.value)
  const value = typed ? typed[0] : p.value
  const type = partContentType((typed?.[1] ?? '').trim(), p.name, u, where)
  const file = /^@file\((.*)\)$/s.exec(value.trim())
  if (!file) return [{ kind: 'text', name: p.name, value, ...type, enabled: p.enabled }]
  const paths = (file[1] ?? '').split('|').filter((x) => x.trim() !== '')
  if (paths.length === 0) return [{ kind: 'file', name: p.name, path: 'file', ...type, enabled: p.enabled }]
  noteRelativeFiles(paths, `part "${p.name}"`, u, where)
  return paths.map((path) => ({ kind: 'file', name: p.name, path: path.trim(), ...type, enabled: p.enabled }))
}

/** What the note on relative file paths says; a folder import re-points them (repoint-files.ts) instead. */
export const RELATIVE_FILES_NOTE = "relative to the Bruno collection's folder; the imported request reads"

/**
 * Bruno reads a relative file path from its collection folder; the imported request reads it from the folder
 * the collection is imported into, where the file is not copied: said, naming the first. (An import of the
 * folder itself re-points them, and this note is taken back.)
 */
export function noteRelativeFiles(paths: readonly string[], what: string, u: string[], where: string): void {
  const relative = paths
    .map((x) => x.trim())
    .filter((x) => x !== '' && !/^([/\\]|[A-Za-z]:[\\/]|\{\{)/.test(x))
  if (relative.length === 0) return
  const more = relative.length > 1 ? ` and ${relative.length - 1} more` : ''
  u.push(
    `${where}: ${what} reads ${JSON.stringify(relative[0]?.slice(0, 120))}${more} ${RELATIVE_FILES_NOTE} ${relative.length > 1 ? 'them' : 'it'} from the collection folder it is imported into: copy ${relative.length > 1 ? 'them' : 'it'} there (or give a full path)`,
  )
}

/** Parts one multipart body keeps, at most; the rest are left out and said. */
export const MAX_MULTIPART_PARTS = 1000

/** `parts` cut to MAX_MULTIPART_PARTS, saying how many were left out. */
export function boundedParts(parts: MultipartPart[], u: string[], where: string): MultipartPart[] {
  if (parts.length <= MAX_MULTIPART_PARTS) return parts
  u.push(
    `${where}: form-data parts past the first ${MAX_MULTIPART_PARTS} left out (${parts.length - MAX_MULTIPART_PARTS})`,
  )
  return parts.slice(0, MAX_MULTIPART_PARTS)
}

function fields(list: readonly BruPair[]): { name: string; value: string; enabled: boolean }[] {
  return list.map((p) => ({ name: p.name, value: p.value, enabled: p.enabled }))
}

/** A file body Bruno sends: the selected entry among Bruno's file variants (each `path` and `contentType`). */
export function selectedFile(
  files: readonly { path: string; contentType: string; selected: boolean }[],
  u: string[],
  where: string,
): RequestBody {
  const chosen = files.find((f) => f.selected && f.path !== '')
  if (files.length > 1)
    u.push(
      `${where}: ${files.length} files kept for the body in Bruno; the selected one is the body, the others are not kept`,
    )
  if (!chosen) {
    u.push(`${where}: the file body has no selected file; left out`)
    return { kind: 'none' }
  }
  const type = partContentType(chosen.contentType.trim(), 'body', u, where)
  noteRelativeFiles([chosen.path], 'its file body', u, where)
  return { kind: 'file', path: chosen.path, ...type }
}

export function bodyOf(b: Blocks, mode: string | undefined, u: string[], where: string): RequestBody {
  switch (mode ?? 'none') {
    case 'none':
      return { kind: 'none' }
    case 'json':
      return {
        kind: 'json',
        text: jsonAsSent(textOf(b, 'body:json') ?? '', 'Bruno', (l) => u.push(`${where}: ${l}`)),
      }
    case 'text':
      return { kind: 'text', text: textOf(b, 'body:text') ?? '', contentType: 'text/plain' }
    case 'xml':
      return { kind: 'text', text: textOf(b, 'body:xml') ?? '', contentType: 'application/xml' }
    case 'sparql':
      return { kind: 'text', text: textOf(b, 'body:sparql') ?? '', contentType: 'application/sparql-query' }
    case 'formUrlEncoded':
      return { kind: 'form', fields: fields(pairsOf(b, 'body:form-urlencoded')) }
    case 'file': {
      // `name: @file(path) @contentType(type)` per variant; the switched-on one is Bruno's selected file.
      const files = pairsOf(b, 'body:file').map((p) => {
        const typed = contentTypeOf(p.value)
        const value = (typed ? typed[0] : p.value).trim()
        const path = /^@file\((.*)\)$/s.exec(value)?.[1] ?? ''
        return { path, contentType: typed?.[1] ?? '', selected: p.enabled }
      })
      return selectedFile(files, u, where)
    }
    case 'multipartForm':
      return {
        kind: 'multipart',
        parts: boundedParts(
          pairsOf(b, 'body:multipart-form').flatMap((p) => part(p, u, where)),
          u,
          where,
        ),
      }
    default:
      u.push(`${where}: body "${mode ?? ''}" is not supported; left out`)
      return { kind: 'none' }
  }
}
