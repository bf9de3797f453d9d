/**
 * `send -d @-`: the body is read from stdin, as curl reads it (`jq … | flightdeck send -X POST -d @- URL`). Stdin
 * is read once, into a private temp file, and the request sends that file as it sends `-d @file`: a redirect that
 * keeps the body (307/308) reads the copy again, never stdin. The copy is bounded, refused loudly over the limit.
 */

import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'

/** `-d @-`'s path: stdin, as curl reads it (a file named `-` is sent as `-d @./-`). */
export const STDIN_PATH = '-'

/** The most of stdin a body takes: a whole-read body's limit elsewhere (a gRPC message file, a multipart form). */
export const MAX_STDIN_BODY_BYTES = 64 * 1024 * 1024

export interface SpooledStdin {
  /** The copy's path, sent as a file body. */
  path: string
  /** Removes the copy (and its folder). */
  remove: () => Promise<void>
}

/** Copies `input` to a temp file, or answers why not (over the limit) with the copy already removed. */
export async function spoolStdin(
  input: Readable,
  limit = MAX_STDIN_BODY_BYTES,
): Promise<SpooledStdin | Error> {
  const dir = await mkdtemp(join(tmpdir(), 'flightdeck-stdin-'))
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true })
  // Named "stdin" with no extension, so its type is not guessed from a name the person never gave.
  const path = join(dir, 'stdin')
  const out = createWriteStream(path, { mode: 0o600 })
  let bytes = 0
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      bytes += chunk.length
      if (bytes > limit) {
        out.destroy()
        input.destroy()
        await remove()
        return new Error(
          `stdin (-d @-) is longer than a body read from stdin may be: at most ${limit / (1024 * 1024)} MiB (${limit} bytes); nothing was sent. Save the body to a file and send it with -d @file`,
        )
      }
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r))
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    )
  } catch (err) {
    out.destroy()
    await remove()
    return new Error(`stdin (-d @-) could not be read: ${(err as Error).message}; nothing was sent`)
  }
  return { path, remove }
}
