import type { MultipartPart } from '../shared/request'

/**
 * curl's `-F` / `--form` for `flightdeck send`: each argument is one multipart part, `name=value` a field,
 * `name=@path` a file and `name=<path` a field whose value is the file's text (`<-`: stdin's), each followed by
 * `;type=<content type>`, and a file by `;filename=<name sent>`. As curl's, a file part without a type goes as
 * its name says (stdin's as application/octet-stream) and a field without one goes with no Content-Type. A `;`
 * not followed by one of those stays in the value, so `-F 'q=a;b'` sends `a;b`. curl's `--form-string
 * name=value` is a field whose value is taken as typed: a leading `@` or `<` and a `;type=` are its letters.
 */

/** One `-F` or `--form-string` argument, in the order given on the command line (curl keeps that order). */
export interface FormArg {
  literal: boolean
  arg: string
}

/** A `--form-string` part: everything after the first `=` is the value, as typed. */
export function parseFormString(arg: string): MultipartPart | string {
  const eq = arg.indexOf('=')
  if (eq <= 0) return `bad --form-string '${arg}'; expected name=value`
  return { kind: 'text', name: arg.slice(0, eq), value: arg.slice(eq + 1), enabled: true }
}

/**
 * The parts of every `-F` and `--form-string`, in order, or the first one's refusal. A `name=<path` part is a file
 * part here, its index in `fieldFiles`: its pipe or file is read as a file part's is, then sent as a field.
 */
export function parseFormArgs(
  args: readonly FormArg[],
): { parts: MultipartPart[]; fieldFiles: number[] } | string {
  if (args.length > 1000) return `-F is given ${args.length} times; a form has at most 1000 parts`
  const parts: MultipartPart[] = []
  const fieldFiles: number[] = []
  for (const { literal, arg } of args) {
    const part = literal ? parseFormString(arg) : parseFormPart(arg)
    if (typeof part === 'string') return part
    if ('fieldFile' in part) {
      fieldFiles.push(parts.length)
      parts.push(part.fieldFile)
    } else parts.push(part)
  }
  return { parts, fieldFiles }
}

const PARAM = /^(type|filename)=(.*)$/s
/** curl's other part parameters: a part's own headers and a transfer encoder, which a part here cannot carry. */
const UNSUPPORTED_PARAM = /^(headers|encoder)=/
const PRINTABLE = /^[\x20-\x7e]*$/

export function parseFormPart(arg: string): MultipartPart | { fieldFile: MultipartPart } | string {
  const eq = arg.indexOf('=')
  if (eq <= 0) return `bad -F '${arg}'; expected name=value or name=@file`
  const name = arg.slice(0, eq)
  const [first = '', ...rest] = arg.slice(eq + 1).split(';')
  let value = first
  let contentType: string | undefined
  let fileName: string | undefined
  for (const segment of rest) {
    const m = PARAM.exec(segment.trimStart())
    const unsupported = UNSUPPORTED_PARAM.exec(segment.trimStart())
    // Kept as letters of the value, the part would go out without what curl sends for them: refused instead.
    if (unsupported)
      return `bad -F '${arg}': curl's ;${unsupported[1] ?? ''}= is not supported (a part carries only ;type= and ;filename=); --form-string sends the value as typed`
    if (!m) {
      value += `;${segment}`
      continue
    }
    const text = (m[2] ?? '').trim()
    if (m[1] === 'type') {
      if (text === '' || !PRINTABLE.test(text) || text.length > 256)
        return `bad -F '${arg}': type= needs a content type (printable, up to 256 characters)`
      contentType = text
    } else {
      if (text === '') return `bad -F '${arg}': filename= needs a name`
      fileName = text
    }
  }
  if (value.startsWith('<')) {
    const path = value.slice(1)
    if (path === '') return `-F '${name}=<' needs a file path, or - for stdin, e.g. -F '${name}=<-'`
    if (fileName !== undefined)
      return `bad -F '${arg}': filename= names a file part (name=@path), not a field`
    const typed = contentType !== undefined ? { contentType } : {}
    return { fieldFile: { kind: 'file', name, path, enabled: true, ...typed } }
  }
  if (value.startsWith('@')) {
    const path = value.slice(1)
    if (path === '') return `-F '${name}=@' needs a file path, e.g. -F '${name}=@photo.png'`
    return {
      kind: 'file',
      name,
      path,
      enabled: true,
      ...(contentType !== undefined ? { contentType } : {}),
      ...(fileName !== undefined ? { fileName } : {}),
    }
  }
  if (fileName !== undefined) return `bad -F '${arg}': filename= names a file part (name=@path), not a field`
  return { kind: 'text', name, value, enabled: true, ...(contentType !== undefined ? { contentType } : {}) }
}
