import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { grpcSendsMany, type GrpcMethodKind } from '../shared/grpc'
import type { ErrorCode } from '../shared/result'
import type { GrpcCliCall } from './grpc-args'
import type { InputReads } from './input-reads'
import { textVariable, unresolvedVariable } from './unresolved-variable'
import { byteCount, sizeLimit } from './byte-words'

/**
 * The messages `flightdeck grpc -d` gives a call when they are read whole: `-d JSON`, `-d @file` for a unary or
 * server-streaming call (one message) or a JSON array, and `-d -` for a unary or server-streaming call. A client
 * or bidi stream fed with `-d -` or a file of lines is not read here: each line is sent as it comes
 * (grpc-line-feed.ts), so the input's length has no bound but the call's.
 */

/**
 * The most a whole read takes: the largest message text the engine accepts. The file or stdin was read whole
 * into memory, whatever its size (a 10 GB file filled the memory before any check).
 */
export const MAX_MESSAGE_TEXT = 64 * 1024 * 1024

const LIMIT_WORDS = sizeLimit(MAX_MESSAGE_TEXT)

export type Messages =
  { ok: true; value: string[] } | { ok: false; error: { code: ErrorCode; message: string } }

const refused = (code: ErrorCode, message: string): Messages => ({ ok: false, error: { code, message } })

/** What a unary or server-streaming call reads whole, in words. */
const oneMessage = (kind: GrpcMethodKind): string =>
  `a ${kind === 'unary' ? 'unary' : 'server-streaming'} call's one message`

/**
 * The messages -d gives: one for unary and server streaming; for client and bidi, an array or one per line.
 * `opened`: the `-d @file` pipe or device already opened (and its start looked at) by streamFileOf.
 */
export async function messagesOf(
  c: GrpcCliCall,
  kind: GrpcMethodKind,
  stdin: Readable,
  reads: InputReads,
  opened?: Readable,
): Promise<Messages> {
  let text: string
  if (c.data.kind === 'none') return { ok: true, value: grpcSendsMany(kind) ? [] : ['{}'] }
  if (c.data.kind === 'text') text = c.data.text
  else if (c.data.kind === 'file') {
    const path = c.data.path
    const read = await readFileBounded(path, kind, reads, opened)
    if (typeof read !== 'string') return read
    text = read
    // Its {{variables}} are refused as typed ones are: a plain grpc call has none to give them.
    const unresolved = c.literalBraces
      ? null
      : unresolvedVariable('grpc', [[`the message file (-d @) ${path}`, text]], 'read')
    if (unresolved !== null) return refused('bad_payload', unresolved)
  } else {
    const read = await readBounded(stdin)
    if (read === null)
      return refused(
        'too_large',
        `stdin holds more than ${LIMIT_WORDS}: -d - reads at most that for ${oneMessage(kind)} (the largest the engine takes); the call was not made`,
      )
    text = read
    // Its {{variables}} are refused as typed ones are, a line of stdin named as the line feed names it.
    const unresolved = c.literalBraces ? null : textVariable('grpc', text, stdinLine)
    if (unresolved !== null) return refused('bad_payload', unresolved)
  }
  if (!grpcSendsMany(kind)) return { ok: true, value: [text] }
  const trimmed = text.trim()
  if (trimmed.startsWith('[')) {
    try {
      const list = JSON.parse(trimmed) as unknown
      if (Array.isArray(list)) return { ok: true, value: list.map((m) => JSON.stringify(m)) }
    } catch (e) {
      return refused('bad_payload', `-d is not JSON: ${(e as Error).message}`)
    }
  }
  return { ok: true, value: trimmed.split('\n').filter((l) => l.trim() !== '') }
}

/**
 * A `-d @file`'s text, or why it is not read: a regular file past the limit is refused by its size, before a
 * byte; a pipe or a device (or a file that grew since) when the read passes it. The words say what is read
 * whole: a unary or server-streaming call's one message, or a client or bidi stream's JSON array (its file of
 * lines is sent as it is read, grpc-line-feed.ts).
 */
async function readFileBounded(
  path: string,
  kind: GrpcMethodKind,
  reads: InputReads,
  opened: Readable | undefined,
): Promise<string | Messages> {
  const tooLarge = (is: string): Messages =>
    refused(
      'too_large',
      grpcSendsMany(kind)
        ? `the message file ${path} ${is} longer than -d @file reads: a JSON array is read whole, at most ${LIMIT_WORDS} (the largest message text the engine takes); the call was not made. One JSON message a line (not an array) is sent as it is read, however long`
        : `the message file ${path} ${is} longer than -d @file reads: at most ${LIMIT_WORDS} for ${oneMessage(kind)} (the largest message text the engine takes); the call was not made`,
    )
  try {
    if (opened === undefined) {
      const info = await stat(path)
      if (info.isFile() && info.size > MAX_MESSAGE_TEXT) return tooLarge(`is ${byteCount(info.size)},`)
    }
    const text = await readBounded(opened ?? (await reads.open(path)))
    return text ?? tooLarge('is')
  } catch (e) {
    return refused('file', `Cannot read ${path}: ${(e as Error).message}`)
  }
}

/** All of `input` as UTF-8, or null once it passes the limit (the rest is not read). */
async function readBounded(input: Readable): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    size += bytes.length
    if (size > MAX_MESSAGE_TEXT) {
      input.destroy()
      return null
    }
    chunks.push(bytes)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** What a line of stdin is, after its name (`stdin line 2`), when a `{{variable}}` in it is refused. */
export const STDIN_MESSAGE = '(the message, -d -)'

const stdinLine = (n: number): string => `stdin line ${n} ${STDIN_MESSAGE}`
