import type { RequestBody } from '../shared/request'
import { bodyPipes, type BodyPipe } from './body-pipes'
import { InputReads } from './input-reads'
import { onInterrupt, signalWords, type Interrupt, type StopSignal } from './interrupt'
import { MAX_STDIN_BODY_BYTES, spoolStdin, STDIN_PATH, type SpooledStdin } from './stdin-body'
import { fileVariable } from './unresolved-variable'

/** A body whose pipes were read: the same body sending their copies as files, and the copies' removal. */
export interface PipedBody {
  body: RequestBody
  remove: () => Promise<void>
}

/**
 * A `send` or `sse` from its start to its end: one Ctrl+C and SIGTERM listener throughout (so no step between two
 * leaves the signal to Node's default, a silent death that leaves a copy behind), saying the command stopped
 * `before` (`before the request was sent`) until `run` takes it over; the pipes `body` names (null: none to read)
 * read first, and `run` given the body that sends their copies (null when there were none), removed at its end.
 */
export async function withPipedBody(
  command: 'send' | 'sse',
  body: RequestBody | null,
  err: (text: string) => void,
  before: string,
  run: (piped: RequestBody | null, interrupt: Interrupt) => Promise<number>,
  literalBraces = false,
): Promise<number> {
  const stopped = (signal: StopSignal): void =>
    err(`flightdeck: stopped ${signalWords(signal)} ${before}: nothing was sent\n`)
  const interrupt = onInterrupt(stopped)
  try {
    const piped =
      body === null ? null : await pipedBody(command, body, err, interrupt, stopped, literalBraces)
    if (typeof piped === 'number') return piped
    try {
      return await run(piped?.body ?? null, interrupt)
    } finally {
      await piped?.remove()
    }
  } finally {
    interrupt.off()
  }
}

/**
 * `send` and `sse` with `-d @-` (stdin) or `-d @fifo`, and `send -F name=@-` or `-F name=@fifo`: each pipe read
 * once, in order, to a temp copy (stdin-body.ts), its `{{variables}}` refused as a body file's are (exit 2).
 * Ctrl+C or SIGTERM while one is read (a FIFO no writer has opened yet, a writer that pauses, a terminal's stdin
 * not yet ended) stops the command at once, in words, exit 130 / 143, every copy removed and nothing sent.
 * `interrupt` is the command's own, handed to the read and back to `after` (what the signal does once the read
 * is over). Answers null for a body that names no pipe, or the exit code when the command ends here (its words
 * written to `err`). `literalBraces` (`--literal-braces`): nothing is looked at, every byte goes as read.
 */
export async function pipedBody(
  command: 'send' | 'sse',
  body: RequestBody,
  err: (text: string) => void,
  interrupt: Interrupt,
  after: (signal: StopSignal) => void,
  literalBraces = false,
): Promise<PipedBody | number | null> {
  const pipes = await bodyPipes(body)
  if (typeof pipes === 'string') {
    err(`flightdeck: ${pipes}\n`)
    return 2
  }
  if (pipes.length === 0) return null
  const copies = await readPipes(pipes, err, interrupt, after)
  if (typeof copies === 'number') return copies
  const remove = async (): Promise<void> => {
    await Promise.all(copies.map((c) => c.remove()))
  }
  // The send looks at no file of a body read here, so each is looked at now, piped or not, in order.
  const found = literalBraces ? null : await variableIn(command, body, pipes, copies)
  if (found !== null) {
    await remove()
    err(`flightdeck: ${found}\n`)
    return 2
  }
  return { body: withCopies(body, pipes, copies), remove }
}

/** Each pipe's copy, in order, or the exit code once the words are written (the copies made removed). */
async function readPipes(
  pipes: readonly BodyPipe[],
  err: (text: string) => void,
  interrupt: Interrupt,
  after: (signal: StopSignal) => void,
): Promise<SpooledStdin[] | number> {
  // A signal before the read began has had its words (the step before's): no pipe is opened after it.
  if (interrupt.signal !== null) return interrupt.exitCode(1)
  const reads = new InputReads()
  const copies: SpooledStdin[] = []
  let reading = pipes[0]
  interrupt.handOver((signal) => {
    err(
      `flightdeck: stopped ${signalWords(signal)} while reading ${reading?.name.shown ?? 'the body'}: nothing was sent\n`,
    )
    reads.stop()
  })
  let failed: Error | null = null
  try {
    for (const pipe of pipes) {
      reading = pipe
      let spooled: SpooledStdin | Error
      try {
        const input = pipe.path === STDIN_PATH ? reads.track(process.stdin) : await reads.open(pipe.path)
        spooled = await spoolStdin(input, MAX_STDIN_BODY_BYTES, pipe.name, pipe.copyName)
      } catch (e) {
        spooled = new Error(`${pipe.name.shown} could not be read: ${(e as Error).message}; nothing was sent`)
      }
      if (spooled instanceof Error) failed = spooled
      else copies.push(spooled)
      if (failed !== null || interrupt.signal !== null) break
    }
  } finally {
    interrupt.handOver(after)
  }
  if (interrupt.signal === null && failed === null) return copies
  await Promise.all(copies.map((c) => c.remove()))
  if (interrupt.signal !== null) return interrupt.exitCode(1)
  err(`flightdeck: ${failed?.message ?? 'the body could not be read'}\n`)
  return 2
}

/** `body` sending each pipe's copy in its place: a form part keeps the name curl gives it (the FIFO's, or `-`). */
function withCopies(
  body: RequestBody,
  pipes: readonly BodyPipe[],
  copies: readonly SpooledStdin[],
): RequestBody {
  if (body.kind === 'file') return { ...body, path: copies[0]?.path ?? body.path }
  if (body.kind !== 'multipart') return body
  const parts = [...body.parts]
  pipes.forEach((pipe, i) => {
    const part = pipe.part === null ? undefined : parts[pipe.part]
    const copy = copies[i]
    if (part?.kind !== 'file' || !copy || pipe.part === null) return
    parts[pipe.part] = { ...part, path: copy.path, fileName: part.fileName ?? pipe.fileName }
  })
  return { ...body, parts }
}

/** The refusal for the first `{{variable}}` in the body's files (each pipe's copy in its place), or null. */
async function variableIn(
  command: 'send' | 'sse',
  body: RequestBody,
  pipes: readonly BodyPipe[],
  copies: readonly SpooledStdin[],
): Promise<string | null> {
  const files: [path: string, where: string, shownAs: string][] = []
  if (body.kind === 'file') {
    const [pipe, copy] = [pipes[0], copies[0]]
    if (pipe && copy) files.push([copy.path, pipe.where, pipe.shownAs])
  } else if (body.kind === 'multipart') {
    for (const [index, part] of body.parts.entries()) {
      if (part.kind !== 'file') continue
      const i = pipes.findIndex((p) => p.part === index)
      const [pipe, copy] = [pipes[i], copies[i]]
      if (pipe && copy) files.push([copy.path, pipe.where, pipe.shownAs])
      else files.push([part.path, `the form part ${part.name}, -F ${part.name}=@file`, part.path])
    }
  }
  for (const [path, where, shownAs] of files) {
    const found = await fileVariable(command, path, where, shownAs)
    if (found !== null) return found
  }
  return null
}
