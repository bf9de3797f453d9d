import { open, stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import type { GrpcEngine } from '../engine/grpc/grpc-engine'
import type { ErrorCode } from '../shared/result'
import { MAX_MESSAGE_TEXT } from './grpc-message-input'
import { fileVariable } from './unresolved-variable'

/**
 * A client or bidi stream fed a message a line, as the lines are read: `-d -` (stdin) and `-d @file` for a file
 * of one JSON object a line. Memory holds one line at a time, whatever the input's length, and the next line is
 * read only once grpc-js has room for another message (paced by its drain); a line longer than
 * the largest message text the engine takes is cut loudly: the call is cancelled and the command says which
 * line, and how many messages went before it.
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
const LINE_LIMIT_WORDS = `64 MiB (${MAX_MESSAGE_TEXT.toLocaleString('en-US')} bytes)`

/**
 * Send each line of `input` (`where`: `stdin`, or the file's path) on the call as it is read; half-close at the
 * end. Returns what was wrong when a line stopped the feed (the caller cancels the call and exits 2), or null.
 */
export async function feedLines(
  grpc: GrpcEngine,
  sid: string,
  input: Readable,
  where: string,
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

export type LineFile =
  { ok: true; value: boolean } | { ok: false; error: { code: ErrorCode; message: string } }

/** How far into a file its first character is looked for (past it, the file is read as lines). */
const PEEK_BYTES = 64 * 1024

/**
 * Whether the file `-d @path` names is sent a line at a time on a client or bidi stream (then read with
 * `createReadStream` as the call goes), or read whole (grpc-message-input.ts): a JSON array (its first
 * character `[`), or not a regular file (a pipe is read once). Its {{variables}} are refused before the call,
 * as a file read whole is: the file is looked through once, in chunks, then read again as it is sent.
 */
export async function lineFileOf(path: string): Promise<LineFile> {
  const cannot = (e: unknown): LineFile => ({
    ok: false,
    error: { code: 'file', message: `Cannot read ${path}: ${(e as Error).message}` },
  })
  try {
    if (!(await stat(path)).isFile()) return { ok: true, value: false }
    const handle = await open(path)
    let head: Buffer
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(PEEK_BYTES), 0, PEEK_BYTES, 0)
      head = buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
    if (firstCharacter(head) === '[') return { ok: true, value: false }
  } catch (e) {
    return cannot(e)
  }
  const unresolved = await fileVariable('grpc', path, 'the message file, -d @')
  if (unresolved !== null) return { ok: false, error: { code: 'bad_payload', message: unresolved } }
  return { ok: true, value: true }
}

/** The first character that is not JSON whitespace (after a byte order mark), or '' when none is in `head`. */
function firstCharacter(head: Buffer): string {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d))
    i++
  return i < head.length ? String.fromCharCode(head[i] as number) : ''
}
