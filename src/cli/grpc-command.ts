import type { Readable } from 'node:stream'
import type { GrpcEngine } from '../engine/grpc/grpc-engine'
import { grpcEngineFor } from '../engine/grpc/grpc-registry'
import type { GrpcSchema } from '../engine/grpc/grpc-schema'
import { createEngineService, type EngineService } from '../engine/service'
import { grpcSendsMany, type GrpcCallSpec, type GrpcMethodKind } from '../shared/grpc'
import type { ErrorCode } from '../shared/result'
import type { TimelineEvent } from '../shared/timeline'
import { GRPC_USAGE, parseGrpcArgs, type GrpcCliCall } from './grpc-args'
import { feedLines, stdinLineVariable, streamFileOf, type LineCheck } from './grpc-line-feed'
import { InputReads } from './input-reads'
import { onInterrupt, signalWords, type Interrupt } from './interrupt'
import { messagesOf } from './grpc-message-input'
import { openSavedGrpc, type SavedGrpcCall } from './grpc-saved'
import { oauthCliOptions } from './oauth-args'
import { reportLogCut } from './stream-cut-note'

/**
 * `flightdeck grpc <target> [Service/Method]`: list and describe a server's services (reflection or --proto), or
 * make one call through the engine and print every message received as it arrives (pretty JSON, or with
 * `--json` one object per line, then the status with headers and trailers). Client and bidi streams can be fed
 * newline-delimited JSON on stdin (`-d -`) or from a file (`-d @file`), each line sent as it is read, then
 * half-closed at its end (grpc-line-feed.ts).
 */

export interface GrpcIo {
  out(text: string): void
  err(text: string): void
  onOutClosed?(listener: () => void): () => void
}

const FLUSH_MS = 10
/** Errors that mean the command was given something it cannot use: exit 2, as a bad argument. */
const USER_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'invalid_request',
  'invalid_url',
  'bad_payload',
  'parse',
  'file',
  'file_outside',
  'not_found',
  'message_too_large',
  'too_large',
  'unknown_variable',
  'unsupported',
])

export async function runGrpcCli(
  argv: readonly string[],
  io: GrpcIo,
  stdin: Readable = process.stdin,
): Promise<number> {
  const command = parseGrpcArgs(argv)
  if (command.kind === 'help') {
    io.out(`${GRPC_USAGE}\n`)
    return 0
  }
  if (command.kind === 'error') {
    io.err(`flightdeck: ${command.message}\n`)
    return 2
  }
  // One listener for Ctrl+C and SIGTERM from here to the command's end, handed from step to step (the schema,
  // the input read, the call): a signal between two steps ends in words too, never in a silent death.
  const interrupt = onInterrupt((signal) =>
    io.err(`flightdeck: stopped ${signalWords(signal)} before the call: the call was not made\n`),
  )
  try {
    return await withEngine(command, io, stdin, interrupt)
  } finally {
    interrupt.off()
  }
}

async function withEngine(
  command: GrpcCliCall | SavedGrpcCall,
  io: GrpcIo,
  stdin: Readable,
  interrupt: Interrupt,
): Promise<number> {
  const service = createEngineService({
    host: 'cli',
    flushEveryMs: FLUSH_MS,
    watchCollections: false,
    persistWorkspace: false,
    // A saved request's OAuth 2.0 sign-in: its URL on stderr, waited for (as send --collection's).
    ...(command.kind === 'saved' ? oauthCliOptions(io.err, command.oauthTimeoutMs) : {}),
  })
  // The engine's own gRPC part, which its commands (a saved request's grpc.open) use too.
  const grpc = await grpcEngineFor(service.streams)
  try {
    if (interrupt.signal !== null) return interrupt.exitCode(1)
    if (command.kind !== 'saved') return await run(service, grpc, command, io, stdin, interrupt)
    const opened = await untilSignal(openSavedGrpc(service, command, io.err, interrupt), interrupt)
    if (opened === null) return interrupt.exitCode(1)
    if (!opened.ok) return failed(io, opened.error)
    return await follow(service, grpc, opened.value.sid, command, io, null, interrupt)
  } finally {
    await service.dispose()
    grpc.dispose()
  }
}

async function run(
  service: EngineService,
  grpc: GrpcEngine,
  c: GrpcCliCall,
  io: GrpcIo,
  stdin: Readable,
  interrupt: Interrupt,
): Promise<number> {
  // A server that never answers its reflection holds the schema for up to 15 s: Ctrl+C ends that wait.
  const fetching =
    c.schema.kind === 'reflection'
      ? `asking ${c.target} for its schema (reflection)`
      : 'reading the .proto files'
  const outcome =
    c.kind === 'call' ? 'the call was not made' : `nothing was ${c.kind === 'list' ? 'listed' : 'described'}`
  interrupt.handOver((signal) =>
    io.err(`flightdeck: stopped ${signalWords(signal)} while ${fetching}: ${outcome}\n`),
  )
  const schema = await untilSignal(
    grpc.schema({
      target: c.target,
      tls: c.tls,
      metadata: c.metadata,
      schema: c.schema,
      base: process.cwd(),
    }),
    interrupt,
  )
  if (schema === null) return interrupt.exitCode(1)
  if (!schema.ok) return failed(io, schema.error)
  if (c.kind === 'list') return list(schema.value, c, io)
  if (c.kind === 'describe') {
    const d = schema.value.describe(c.name)
    if (!d.ok) return failed(io, d.error)
    io.out(`${d.value}\n`)
    return 0
  }
  const method = schema.value.method(c.name)
  if (!method.ok) return failed(io, method.error)
  const kind = method.value.info.kind
  // A FIFO with no writer yet, or a terminal's stdin, is waited for (as curl waits); Ctrl+C or SIGTERM ends the
  // wait in words: the FIFO's open is released, stdin let go of.
  const input =
    c.data.kind === 'file' ? `${c.data.path} (-d @)` : c.data.kind === 'stdin' ? 'stdin (-d -)' : null
  const reads = new InputReads()
  const reading = interrupt
  reading.handOver((signal) => {
    io.err(
      `flightdeck: stopped ${signalWords(signal)} ${input ? `while reading ${input}` : 'before the call'}: the call was not made\n`,
    )
    reads.stop()
    if (c.data.kind === 'stdin') stdin.destroy()
  })
  return callWith(service, grpc, c, io, stdin, kind, reading, reads)
}

/** `work`'s answer, or null once a signal has come (the engine's disposal then ends what `work` waits for). */
function untilSignal<T>(work: Promise<T>, interrupt: Interrupt): Promise<T | null> {
  if (interrupt.signal !== null) return Promise.resolve(null)
  return Promise.race([work, interrupt.signalled.then(() => null)])
}

/** The call, once its kind is known: its input read (or opened, to be fed a line at a time), made and followed. */
async function callWith(
  service: EngineService,
  grpc: GrpcEngine,
  c: GrpcCliCall,
  io: GrpcIo,
  stdin: Readable,
  kind: GrpcMethodKind,
  reading: Interrupt,
  reads: InputReads,
): Promise<number> {
  // A client or bidi stream is fed as its input is read, a message a line: stdin, and a file of lines.
  let lines: Lines | null = null
  let wholeFrom: Readable | undefined
  if (grpcSendsMany(kind) && c.data.kind === 'stdin')
    lines = { open: () => stdin, where: 'stdin', check: c.literalBraces ? undefined : stdinLineVariable }
  else if (grpcSendsMany(kind) && c.data.kind === 'file') {
    const file = await streamFileOf(c.data.path, reads, c.literalBraces !== true)
    if (!file.ok) return failed(io, file.error)
    if (file.value.by === 'line') lines = { ...file.value, where: c.data.path }
    else wholeFrom = file.value.opened
  }
  const streamed = lines !== null
  const messages = streamed
    ? ok([])
    : await messagesOf(c, kind, stdin, reads, wholeFrom).catch((e: unknown) => {
        // stdin let go of on a signal ends its read with an error: the signal is what is said.
        if (reading.signal === null) throw e
        return ok([])
      })
  if (reading.signal !== null) {
    lines?.opened?.destroy()
    return reading.exitCode(1)
  }
  if (!messages.ok) return failed(io, messages.error)
  // From here a signal stops the call (follow): one that comes while it opens, as soon as it has opened.
  reading.handOver(() => {})
  const spec: GrpcCallSpec = {
    target: c.target,
    method: c.name,
    messages: messages.value,
    metadata: c.metadata,
    schema: c.schema,
    tls: c.tls,
    halfClose: !streamed,
    ...(c.deadlineMs !== null ? { deadlineMs: c.deadlineMs } : {}),
    ...(c.maxMessageBytes !== null ? { maxMessageBytes: c.maxMessageBytes } : {}),
  }
  const opened = await grpc.open(spec, { base: process.cwd() })
  if (!opened.ok) {
    lines?.opened?.destroy()
    return failed(io, opened.error)
  }
  return follow(service, grpc, opened.value.sid, c, io, lines, reading)
}

/**
 * A client or bidi stream's input fed a line at a time; `where` names it in errors; `opened`: a pipe already
 * open, closed if the call is not made.
 */
type Lines = { open(): Readable; where: string; check?: LineCheck | undefined; opened?: Readable | undefined }

/** What printing a call's messages and its end takes from the command. */
type Follow = Pick<GrpcCliCall, 'json' | 'max' | 'durationMs'>

/**
 * Print every message the call `sid` receives as it arrives, feed it `lines` when given, and print its end; the
 * exit code.
 */
async function follow(
  service: EngineService,
  grpc: GrpcEngine,
  sid: string,
  c: Follow,
  io: GrpcIo,
  lines: Lines | null,
  interrupt: Interrupt,
): Promise<number> {
  let received = 0
  let stopped = false
  const stop = (): void => {
    if (stopped) return
    stopped = true
    service.streams.close(sid)
  }
  const log = (): ReturnType<EngineService['streamLog']> => service.streamLog(sid)
  const printMessage = (seq: number, t: number): void => {
    const l = log()
    const entry = l?.entry(seq, 0)
    if (!l || !entry) return
    const text = l.dataOf(seq, 0, entry.size)?.toString('utf8') ?? ''
    if (c.json) io.out(`{"type":"message","seq":${seq},"t":${Math.round(t)},"message":${text}}\n`)
    else io.out(`${JSON.stringify(JSON.parse(text), null, 2)}\n`)
  }
  const off = service.subscribe((batch) => {
    for (const e of batch.events) {
      if (e.sid !== sid || !isIncoming(e)) continue
      for (let i = 0; i < (e.count ?? 1); i++) {
        if (c.max !== null && received >= c.max) return
        printMessage(e.seq + i, e.t)
        if (c.max !== null && ++received >= c.max) stop()
      }
    }
  })
  const timer = c.durationMs === null ? null : setTimeout(stop, c.durationMs)
  interrupt.handOver(stop)
  if (interrupt.signal !== null) stop()
  const offOutClosed = io.onOutClosed?.(stop)
  let badLine: string | null = null
  if (lines) {
    void feedLines(grpc, sid, lines.open(), lines.where, lines.check).then((bad) => {
      if (bad) {
        badLine = bad
        stop()
      }
    })
  }
  try {
    const { final } = await service.waitForStream(sid)
    service.flush()
    reportLogCut(service, sid, io.err)
    if (badLine) {
      io.err(`flightdeck: ${badLine}\n`)
      return 2
    }
    const result = grpc.outcome(sid)
    const status = result?.status ?? null
    if (c.json) {
      const end: Record<string, unknown> = status
        ? {
            type: 'status',
            code: status.code,
            name: status.name,
            message: status.message,
            ...(status.details ? { details: status.details } : {}),
          }
        : {
            type: 'status',
            cancelled: true,
            reason: stopped ? 'stopped by --max, --duration, Ctrl+C or SIGTERM' : 'ended',
          }
      if (final.type === 'error' && !status)
        Object.assign(end, { error: { code: final.code, message: final.message } })
      end.headers = Object.fromEntries(result?.headers ?? [])
      end.trailers = Object.fromEntries(result?.trailers ?? [])
      io.out(`${JSON.stringify(end)}\n`)
    }
    if (final.type === 'error') {
      if (!c.json) {
        io.err(`flightdeck: ${final.message}\n`)
        if (status?.details) io.err(`details: ${JSON.stringify(status.details, null, 2)}\n`)
        for (const [k, v] of result?.trailers ?? [])
          if (k !== 'grpc-status-details-bin') io.err(`trailer ${k}: ${v}\n`)
      }
      return interrupt.exitCode(1)
    }
    return interrupt.exitCode(0)
  } finally {
    // A pipe whose writer pauses holds its read open: the call is over, so is the feed.
    lines?.opened?.destroy()
    if (timer) clearTimeout(timer)
    offOutClosed?.()
    off()
  }
}

const KIND_WORDS: Record<GrpcMethodKind, string> = {
  unary: 'unary',
  server_streaming: 'server streaming',
  client_streaming: 'client streaming',
  bidi_streaming: 'bidi streaming',
}

/** Services, each with its methods, kinds and types (`--json`: the schema as one object). */
function list(schema: GrpcSchema, c: GrpcCliCall, io: GrpcIo): number {
  const info = schema.info()
  if (c.json) {
    io.out(`${JSON.stringify({ ...info, ...(schema.notes.length > 0 ? { notes: schema.notes } : {}) })}\n`)
    return 0
  }
  for (const s of info.services) {
    io.out(`${s.name}\n`)
    const width = Math.max(0, ...s.methods.map((m) => m.name.length))
    for (const m of s.methods) {
      io.out(
        `  ${m.name.padEnd(width)}  ${KIND_WORDS[m.kind].padEnd(16)}  ${m.requestType} → ${m.responseType}\n`,
      )
    }
  }
  if (info.services.length === 0) io.out(`(no services; schema from ${info.source})\n`)
  for (const note of schema.notes) io.err(`note: ${note}\n`)
  return 0
}

function isIncoming(e: TimelineEvent): e is Extract<TimelineEvent, { type: 'ws-message' }> {
  return e.type === 'ws-message' && e.dir === 'in' && e.kind === 'text'
}

function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

function failed(io: GrpcIo, e: { code: ErrorCode; message: string; detail?: string }): number {
  io.err(`flightdeck: ${e.message}\n`)
  if (e.detail) io.err(`  ${e.detail}\n`)
  return USER_ERRORS.has(e.code) ? 2 : 1
}
