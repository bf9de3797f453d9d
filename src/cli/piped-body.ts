import { stat } from 'node:fs/promises'
import type { RequestBody } from '../shared/request'
import { InputReads } from './input-reads'
import { signalWords, type Interrupt, type StopSignal } from './interrupt'
import { MAX_STDIN_BODY_BYTES, spoolStdin, STDIN_NAME, STDIN_PATH, type PipeName } from './stdin-body'
import { fileVariable } from './unresolved-variable'

/** A body read from a pipe: its copy, sent as a file body, and the copy's removal. */
export interface PipedBody {
  body: Extract<RequestBody, { kind: 'file' }>
  remove: () => Promise<void>
}

/**
 * `send` and `sse` with `-d @-` (stdin) or `-d @fifo`: the pipe read once, to a temp copy (stdin-body.ts), its
 * `{{variables}}` refused as a body file's are (exit 2). Ctrl+C or SIGTERM while it is read (a FIFO no writer
 * has opened yet, a writer that pauses, a terminal's stdin not yet ended) stops the command at once, in words,
 * exit 130 / 143, the copy removed and nothing sent. `interrupt` is the command's own, handed to the read and
 * back to `after` (what the signal does once the read is over). Answers null for a body that is no pipe, or the
 * exit code when the command ends here (its words written to `err`).
 */
export async function pipedBody(
  command: 'send' | 'sse',
  body: RequestBody,
  err: (text: string) => void,
  interrupt: Interrupt,
  after: (signal: StopSignal) => void,
): Promise<PipedBody | number | null> {
  if (body.kind !== 'file') return null
  const fromStdin = body.path === STDIN_PATH
  if (!fromStdin && !(await isFifo(body.path))) return null
  const name: PipeName = fromStdin ? STDIN_NAME : { shown: `${body.path} (-d @)`, what: 'a pipe' }
  const reads = new InputReads()
  const reading = interrupt
  reading.handOver((signal) => {
    err(`flightdeck: stopped ${signalWords(signal)} while reading ${name.shown}: nothing was sent\n`)
    reads.stop()
  })
  let spooled
  try {
    const input = fromStdin ? reads.track(process.stdin) : await reads.open(body.path)
    spooled = await spoolStdin(input, MAX_STDIN_BODY_BYTES, name)
  } catch (e) {
    spooled = new Error(`${name.shown} could not be read: ${(e as Error).message}; nothing was sent`)
  } finally {
    reading.handOver(after)
  }
  if (reading.signal !== null) {
    if (!(spooled instanceof Error)) await spooled.remove()
    return reading.exitCode(1)
  }
  if (spooled instanceof Error) {
    err(`flightdeck: ${spooled.message}\n`)
    return 2
  }
  const found = fromStdin
    ? await fileVariable(command, spooled.path, '-d @-', 'stdin')
    : await fileVariable(command, spooled.path, 'the body, -d @file', body.path)
  if (found !== null) {
    await spooled.remove()
    err(`flightdeck: ${found}\n`)
    return 2
  }
  return { body: { ...body, path: spooled.path }, remove: spooled.remove }
}

async function isFifo(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFIFO()
  } catch {
    // Not there or not readable: the send says why, as for any body file.
    return false
  }
}
