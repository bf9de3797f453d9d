/**
 * The one-off commands (`send <url>`, `sse`, `ws`, `graphql`, `grpc`, `mqtt`, `socketio`) have no collection and
 * so no variables: a `{{token}}` pasted from Postman, Insomnia or Bruno would go out as those braces (a 401, a
 * wrong topic, a payload the server cannot read) or be refused late by the engine with exit 1. Every such
 * command refuses it while parsing (exit 2), naming the variable, where it is, and what resolves it. A text file
 * sent as a body or message (`-d @file`) is looked at the same way before anything is sent (fileVariable): a
 * request body saved from Postman holds the same braces. A binary file (one with a NUL byte) goes as it is.
 */

import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'

/**
 * A `{{name}}` as Postman, Insomnia and Bruno write variables (`{{$guid}}` too): its name trimmed after a linear
 * match. Spaces matched around the name in the pattern backtracked quadratically on `{{a` and spaces never closed
 * (40,000 took 7.4 s, and a `-d @file` chunk of 64 KB ~20 s).
 */
function firstVariable(text: string): { name: string; index: number } | null {
  for (const m of text.matchAll(/\{\{([^{}]*)\}\}/g)) {
    const name = (m[1] ?? '').trim()
    if (name !== '') return { name, index: m.index }
  }
  return null
}

/** Where a value came from, in words (`the URL`, `a header`), and the text typed. Undefined: not given. */
export type TypedText = readonly [where: string, text: string | undefined]

/** What a saved request of this command's kind is run with. */
const HOW_TO_RESOLVE: Record<string, string> = {
  send: 'save the request in a collection and send it with --collection DIR --request PATH (with --env or --env-var)',
  grpc: 'save the request in a collection and call it with flightdeck grpc --collection DIR --request PATH (with --env or --env-var)',
}

/**
 * The refusal for the first `{{variable}}` in `places`, or null when there is none. `command` names the command
 * as typed (`send`, `ws`, `grpc`).
 */
export function unresolvedVariable(command: string, places: readonly TypedText[]): string | null {
  for (const [where, text] of places) {
    if (text === undefined) continue
    const found = firstVariable(text)
    if (found) return refusal(command, found.name, where)
  }
  return null
}

/**
 * The refusal for the first `{{variable}}` in `text` read whole from a pipe (stdin), naming its line through
 * `where(line)`, or null.
 */
export function textVariable(command: string, text: string, where: (line: number) => string): string | null {
  const found = firstVariable(text)
  return found ? refusal(command, found.name, where(newlines(text.slice(0, found.index)) + 1)) : null
}

function refusal(command: string, name: string, where: string, preposition = 'in'): string {
  const how =
    HOW_TO_RESOLVE[command] ??
    'save the request in a collection and run it with flightdeck run DIR PATH (with --env or --env-var)'
  return `{{${name}}} ${preposition} ${where} is a variable, and a plain ${command} has none: ${how}, or write the value`
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
        return refusal(command, name, `line ${line} of ${shownAs} (${what})`, 'on')
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
