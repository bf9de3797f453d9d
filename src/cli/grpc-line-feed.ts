import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import type { GrpcEngine } from '../engine/grpc/grpc-engine'
import type { ErrorCode } from '../shared/result'
import { MAX_MESSAGE_TEXT, STDIN_MESSAGE } from './grpc-message-input'
import type { InputReads } from './input-reads'
import { fileVariable, unresolvedVariable } from './unresolved-variable'
import { sizeLimit } from './byte-words'

/**
 * A client or bidi stream fed a message a line, as the lines are read: `-d -` (stdin) and `-d @file` for a file,
 * FIFO or device of one JSON object a line. Memory holds one line at a time, whatever the input's length, and
 * the next line is read only once grpc-js has room for another message (paced by its drain); a line longer
 * than the largest message text the engine takes is cut loudly: the call is cancelled and the command says
 * which line, and how many messages went before it.
 */

/** One line of the input (its line end and a CR before it taken off), or the line that passed the limit. */
export type InputLine = { n: number; text: string } | { n: number; tooLong: true }

const LF = 0x0a

/**
 * The lines of `input` as UTF-8 (a line end is LF, CRLF counts as one). A line is held in its pieces until its
 * end, so no piece is copied twice; once a line passes `maxBytes` the read stops there (the rest of the input
 * is not asked for) and its number comes as `tooLong`.
 */
export async function* readLines(input: Readable, maxBytes = MAX_MESSAGE_TEXT): AsyncGenerator<InputLine> {
  let pieces: Buffer[] = []
  let held = 0
  let n = 0
  const line = (): InputLine => {
    let bytes = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, held)
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1)
    pieces = []
    held = 0
    return { n, text: bytes.toString('utf8') }
  }
  try {
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
      let from = 0
      for (let end = bytes.indexOf(LF, from); ; end = bytes.indexOf(LF, from)) {
        const to = end === -1 ? bytes.length : end
        if (held + (to - from) > maxBytes) {
          yield { n: n + 1, tooLong: true }
          return
        }
        if (to > from) {
          pieces.push(bytes.subarray(from, to))
          held += to - from
        }
        if (end === -1) break
        n++
        yield line()
        from = end + 1
      }
    }
    if (held > 0) {
      n++
      yield line()
    }
  } finally {
    input.destroy()
  }
}

/** The limit on one line, in words. */
const LINE_LIMIT_WORDS = sizeLimit(MAX_MESSAGE_TEXT)

/**
 * Send each line of `input` (`where`: `stdin`, or the file's path) on the call as it is read; half-close at the
 * end. Returns what was wrong when a line stopped the feed (the caller cancels the call and exits 2), or null.
 */
export async function feedLines(
  grpc: GrpcEngine,
  sid: string,
  input: Readable,
  where: string,
  check?: LineCheck,
): Promise<string | null> {
  const at = (n: number): string => (where === 'stdin' ? `stdin line ${n}` : `line ${n} of ${where}`)
  let sent = 0
  const cancelled = (): string => `the call was cancelled after ${sent} message${sent === 1 ? '' : 's'} sent`
  try {
    for await (const line of readLines(input)) {
      if ('tooLong' in line)
        return `${at(line.n)} is longer than ${LINE_LIMIT_WORDS}, the largest message text the engine takes: ${cancelled()}`
      // A file saved with a byte order mark: JSON has none.
      const text = line.n === 1 && line.text.startsWith('\uFEFF') ? line.text.slice(1) : line.text
      if (text.trim() === '') continue
      const refused = check?.(text, at(line.n))
      if (refused) return `${refused}; ${cancelled()}`
      const r = grpc.send(sid, text)
      if (!r.ok) {
        // The call ended (the server answered early): the rest of the input is not read.
        if (r.error.code === 'not_found') return null
        return `${at(line.n)}: ${r.error.message}`
      }
      sent++
      // A server that reads slower than the input comes: the next line is read once grpc-js has room for it.
      const room = grpc.writable(sid)
      if (room) await room
    }
  } catch (e) {
    return `cannot read ${where}: ${(e as Error).message}; ${cancelled()}`
  }
  grpc.end(sid)
  return null
}

/** What a line fed from a pipe is checked for before it is sent: the refusal, or null. */
export type LineCheck = (text: string, at: string) => string | null

/**
 * How a client or bidi stream's `-d @file` is given: `line`, sent a line at a time as it is read (`open` gives
 * the input; `check` looks at each line of a pipe, whose {{variables}} cannot be looked for before the call), or
 * `whole`, read whole as a JSON array. `opened`: the pipe or device already opened to look at its start.
 */
export type StreamFile =
  | {
      ok: true
      value:
        | { by: 'line'; open: () => Readable; check?: LineCheck; opened?: Readable }
        | { by: 'whole'; opened?: Readable }
    }
  | { ok: false; error: { code: ErrorCode; message: string } }

/** How far into a file its first character is looked for (past it, the file is read as lines). */
const PEEK_BYTES = 64 * 1024

/**
 * How the file `-d @path` names is sent on a client or bidi stream. A regular file of lines is read with
 * `createReadStream` as the call goes, its {{variables}} refused before the call (the file is looked through
 * once, in chunks, then read again as it is sent); one whose first character is `[` (a JSON array) is read
 * whole. A FIFO (`mkfifo`, `-d @<(…)`) or a device is opened and read until its first character: a `[` is read
 * whole, anything else a line at a time as the writer gives it, as `-d -` reads stdin. `lookForVariables`
 * false (`--literal-braces`): neither the file nor its lines are looked at.
 */
export async function streamFileOf(
  path: string,
  reads: InputReads,
  lookForVariables = true,
): Promise<StreamFile> {
  const cannot = (e: unknown): StreamFile => ({
    ok: false,
    error: { code: 'file', message: `Cannot read ${path}: ${(e as Error).message}` },
  })
  try {
    const info = await stat(path)
    if (!info.isFile()) {
      const input = await reads.open(path)
      const start = await peekStart(input)
      if (start === '[') return { ok: true, value: { by: 'whole', opened: input } }
      const check = lookForVariables ? { check: pipeLineVariable } : {}
      return { ok: true, value: { by: 'line', open: () => input, ...check, opened: input } }
    }
    const handle = await open(path)
    let head: Buffer
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(PEEK_BYTES), 0, PEEK_BYTES, 0)
      head = buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
    if (firstCharacterIn(head, 0) === '[') return { ok: true, value: { by: 'whole' } }
  } catch (e) {
    return cannot(e)
  }
  const unresolved = lookForVariables ? await fileVariable('grpc', path, 'the message file, -d @') : null
  if (unresolved !== null) return { ok: false, error: { code: 'bad_payload', message: unresolved } }
  return { ok: true, value: { by: 'line', open: () => createReadStream(path) } }
}

const pipeLineVariable: LineCheck = (text, at) =>
  unresolvedVariable('grpc', [[`${at} (the message file, -d @)`, text]], 'read')

/** stdin's lines (`-d -`) are looked at as a FIFO's: each as it comes, since a pipe cannot be looked through first. */
export const stdinLineVariable: LineCheck = (text, at) =>
  unresolvedVariable('grpc', [[`${at} ${STDIN_MESSAGE}`, text]], 'read')

/**
 * Reads `input` up to its first character that is not JSON whitespace (at most PEEK_BYTES), puts what it read
 * back, and returns that character ('' when none came).
 */
async function peekStart(input: Readable): Promise<string> {
  const seen: Buffer[] = []
  let size = 0
  try {
    for (;;) {
      const chunk = input.read() as Buffer | null
      if (chunk !== null) {
        const first = firstCharacterIn(chunk, size)
        seen.push(chunk)
        size += chunk.length
        if (first !== '' || size >= PEEK_BYTES) return first
      } else if (input.readableEnded || input.destroyed) return ''
      else await readableOrEnd(input)
    }
  } finally {
    if (seen.length > 0 && !input.readableEnded && !input.destroyed) input.unshift(Buffer.concat(seen, size))
  }
}

/** Waits for more of `input`, its end, or its close (a read stopped by Ctrl+C ends there, without an end). */
function readableOrEnd(input: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: Error): void => {
      input.off('readable', settle)
      input.off('end', settle)
      input.off('close', settle)
      input.off('error', done)
      if (e) reject(e)
      else resolve()
    }
    const settle = (): void => done()
    input.on('readable', settle)
    input.on('end', settle)
    input.on('close', settle)
    input.on('error', done)
  })
}

const BOM = [0xef, 0xbb, 0xbf]

/**
 * The first character of `chunk` that is not JSON whitespace nor part of a byte order mark at the input's start
 * (`chunk` starts `at` bytes into it), or '' when there is none.
 */
function firstCharacterIn(chunk: Buffer, at: number): string {
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i] as number
    if (at + i < 3 && b === BOM[at + i]) continue
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return String.fromCharCode(b)
  }
  return ''
}
