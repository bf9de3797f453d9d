/**
 * `send -d @-` and `sse -d @-`: the body is read from stdin, as curl reads it (`jq … | flightdeck send -X POST
 * -d @- URL`); `-d @fifo` (`mkfifo`, `-d @<(jq …)`) and a form part's `-F name=@-` / `-F name=@fifo` are read the
 * same way. The pipe is read once, into a private temp copy in the engine's per-process folder (removed at exit,
 * and by the next start after a kill), and the request sends that copy as it sends `-d @file`: a redirect that
 * keeps the body (307/308) or an SSE reconnect reads the copy again, never the pipe. The copy is bounded, refused
 * loudly over the limit.
 */

import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { makeTempDir } from '../engine/temp-files'
import { sizeLimit } from './byte-words'

/** `-d @-`'s path: stdin, as curl reads it (a file named `-` is sent as `-d @./-`). */
export const STDIN_PATH = '-'

/** The most of a pipe a body takes: a whole-read body's limit elsewhere (a gRPC message file, a multipart form). */
export const MAX_STDIN_BODY_BYTES = 64 * 1024 * 1024

/**
 * How a pipe is named in the refusals: `stdin (-d @-)` read from `stdin`, or `in.fifo (-d @)` from `a pipe`;
 * `piece` is what it gives (`a body`, `a form part`) and `asFile` how to send it from a file instead.
 */
export interface PipeName {
  shown: string
  what: string
  piece: string
  asFile: string
}

export const STDIN_NAME: PipeName = {
  shown: 'stdin (-d @-)',
  what: 'stdin',
  piece: 'a body',
  asFile: '-d @file',
}

export interface SpooledStdin {
  /** The copy's path, sent as a file body. */
  path: string
  /** Removes the copy (and its folder). */
  remove: () => Promise<void>
}

/**
 * Copies `input` to a temp file named `copyName`, or answers why not (over the limit, unreadable) with the copy
 * already removed. The default name, "stdin", has no extension, so no type is guessed from a name the person
 * never gave; a FIFO's copy takes the FIFO's name, so it is typed and named as that file would be.
 */
export async function spoolStdin(
  input: Readable,
  limit = MAX_STDIN_BODY_BYTES,
  name: PipeName = STDIN_NAME,
  copyName = 'stdin',
): Promise<SpooledStdin | Error> {
  const dir = makeTempDir('body-')
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true })
  const path = join(dir, copyName)
  const out = createWriteStream(path, { mode: 0o600 })
  // A write still in flight when the copy is given up (Ctrl+C stops the read just after a chunk came) fails
  // after destroy(): with no listener that 'error' would end the process, exit 1 instead of 130.
  let writeFailed: Error | null = null
  out.on('error', (e) => (writeFailed ??= e))
  let bytes = 0
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      bytes += chunk.length
      if (bytes > limit) {
        out.destroy()
        input.destroy()
        await remove()
        return new Error(
          `${name.shown} is longer than ${name.piece} read from ${name.what} may be: at most ${sizeLimit(limit)}; nothing was sent. Save it to a file and send it with ${name.asFile}`,
        )
      }
      if (!out.write(chunk)) await once(out, 'drain')
      if (writeFailed) throw writeFailed
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    )
  } catch (err) {
    out.destroy()
    await remove()
    return new Error(`${name.shown} could not be read: ${(err as Error).message}; nothing was sent`)
  }
  return { path, remove }
}
