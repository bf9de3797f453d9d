/**
 * The one-off commands (`send <url>`, `sse`, `ws`, `graphql`, `grpc`, `mqtt`, `socketio`) have no collection and
 * so no variables: a `{{token}}` pasted from Postman, Insomnia or Bruno would go out as those braces (a 401, a
 * wrong topic, a payload the server cannot read) or be refused late by the engine with exit 1. Every such
 * command refuses it while parsing (exit 2), naming the variable, where it is, and what resolves it. A text file
 * sent as a body or message (`-d @file`) is looked at the same way before anything is sent (fileVariable): a
 * request body saved from Postman holds the same braces. A binary file (one with a NUL byte) goes as it is.
 *
 * Braces meant as text have two ways out, as in the app: typed text reads `\{{` as a literal `{{` (the escape's
 * backslash is not sent), and `--literal-braces` reads nothing as a variable, typed text and files going exactly
 * as given. A file is never escape-read: its bytes go as they are.
 */

import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { mapTemplate, scanTemplate } from '../shared/template-scan'

/** `--literal-braces`, as every one-off command's parseArgs takes it. */
export const LITERAL_BRACES_OPTION = { 'literal-braces': { type: 'boolean' } } as const

/** The option's lines in a one-off command's `--help`: `flag` as that help indents its long options, `column` its words'. */
export function literalBracesUsage(flag = '      --literal-braces', column = 27): string {
  return `${flag.padEnd(column)}send {{...}} as typed, in text and files: no variables, and
${' '.repeat(column)}no \\{{ escape (without it, \\{{ in typed text sends {{)`
}

/** The first variable of `text` as the app reads one (template-scan.ts): an escaped `\{{name}}` is text. */
function firstVariable(text: string): { name: string; index: number } | null {
  if (!text.includes('{{')) return null
  for (const t of scanTemplate(text)) if (t.kind === 'ref') return { name: t.name as string, index: t.braces }
  return null
}

/**
 * Typed text as it is sent: each `\{{` as the `{{` it stands for, backslashes right before braces paired as the
 * app pairs them. Called once the text was found to hold no variable.
 */
export function typedAsSent(text: string): string {
  return mapTemplate(text, () => undefined)
}

/**
 * `values` (parseArgs') with the typed text of each of `keys` as it is sent (typedAsSent); a value of `fileKeys`
 * that names a file (`@path`) is left as typed.
 */
export function valuesAsSent<T extends object>(
  values: T,
  keys: readonly (keyof T & string)[],
  fileKeys: readonly (keyof T & string)[] = [],
): T {
  const out: Record<string, unknown> = { ...(values as Record<string, unknown>) }
  for (const key of [...keys, ...fileKeys]) {
    const v = out[key]
    if (typeof v === 'string' && !(fileKeys.includes(key) && v.startsWith('@'))) out[key] = typedAsSent(v)
    else if (Array.isArray(v)) out[key] = v.map((x) => (typeof x === 'string' ? typedAsSent(x) : x))
  }
  return out as T
}

/** Where a value came from, in words (`the URL`, `a header`), and the text typed. Undefined: not given. */
export type TypedText = readonly [where: string, text: string | undefined]

/** What a saved request of this command's kind is run with. */
const HOW_TO_RESOLVE: Record<string, string> = {
  send: 'save the request in a collection and send it with --collection DIR --request PATH (with --env or --env-var)',
  grpc: 'save the request in a collection and call it with flightdeck grpc --collection DIR --request PATH (with --env or --env-var)',
}

/** Where the text came from: typed (where `\{{` is a way out) or read from a file or a pipe (as it is sent). */
export type TextSource = 'typed' | 'read'

/**
 * The refusal for the first `{{variable}}` in `places`, or null when there is none. `command` names the command
 * as typed (`send`, `ws`, `grpc`); `from` says whether the text was typed or read (a file's, stdin's).
 */
export function unresolvedVariable(
  command: string,
  places: readonly TypedText[],
  from: TextSource = 'typed',
): string | null {
  for (const [where, text] of places) {
    if (text === undefined) continue
    const found = firstVariable(text)
    if (found) return refusal(command, found.name, where, from)
  }
  return null
}

/**
 * The refusal for the first `{{variable}}` in `text` read whole from a pipe (stdin), naming its line through
 * `where(line)`, or null.
 */
export function textVariable(command: string, text: string, where: (line: number) => string): string | null {
  const found = firstVariable(text)
  return found ? refusal(command, found.name, where(newlines(text.slice(0, found.index)) + 1), 'read') : null
}

function refusal(command: string, name: string, where: string, from: TextSource, preposition = 'in'): string {
  const how =
    HOW_TO_RESOLVE[command] ??
    'save the request in a collection and run it with flightdeck run DIR PATH (with --env or --env-var)'
  // A file's bytes are sent as they are, so only the option sends its braces; typed text also has the escape.
  const literal =
    from === 'typed'
      ? `; for the braces themselves, write \\{{${name}}} or add --literal-braces`
      : '; to send its braces as they are, add --literal-braces'
  return `{{${name}}} ${preposition} ${where} is a variable, and a plain ${command} has none: ${how}, or write the value${literal}`
}

/** How much of the text before a chunk's end is kept to find a variable split across two chunks. */
const MAX_VARIABLE_TEXT = 4096

/**
 * The refusal for the first `{{variable}}` in the text file at `path` (its line said; `what` it is, in words;
 * `shownAs` names it, e.g. stdin's spooled copy as `stdin`), or null: none, a binary
 * file, or not a regular file (a pipe or a device is read once, by the send, which also says why one cannot
 * be read). Read in chunks, so memory stays bounded whatever the file's size.
 */
export async function fileVariable(
  command: string,
  path: string,
  what: string,
  shownAs = path,
): Promise<string | null> {
  try {
    if (!(await stat(path)).isFile()) return null
  } catch {
    return null
  }
  const stream = createReadStream(path)
  let carry = ''
  let linesBefore = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (chunk.includes(0)) return null
      // Latin-1 keeps one character a byte: the braces and names are ASCII, whatever the file's encoding.
      const text = carry + chunk.toString('latin1')
      const found = firstVariable(text)
      if (found) {
        const line = linesBefore + newlines(text.slice(0, found.index)) + 1
        const name = Buffer.from(found.name, 'latin1').toString('utf8')
        return refusal(command, name, `line ${line} of ${shownAs} (${what})`, 'read', 'on')
      }
      const kept = Math.min(text.length, MAX_VARIABLE_TEXT)
      linesBefore += newlines(text.slice(0, text.length - kept))
      carry = text.slice(text.length - kept)
    }
  } catch {
    // Unreadable: the send itself reads it and says why.
    return null
  } finally {
    stream.destroy()
  }
  return null
}

function newlines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++
  return n
}

/** Each value of a repeatable option as a place of its own, or none when the option was not given. */
export function eachTyped(where: string, values: readonly string[] | undefined): TypedText[] {
  return (values ?? []).map((v): TypedText => [where, v])
}

/** An option whose `@path` names a file: only text typed in place here; the file's text is looked at once read. */
export function typedUnlessFile(where: string, value: string | undefined): TypedText {
  return [where, value !== undefined && value.startsWith('@') ? undefined : value]
}
