import { readFile, stat } from 'node:fs/promises'
import { asTemplate, headersAsTemplates, jsonForEngine } from './engine-template'
import { fileOptions, readInputs } from './graphql-inputs'
import { InputReads } from './input-reads'
import { createEngineService, type EngineService } from '../engine/service'
import { errorLine, summarizeResult, type GraphqlTransport } from '../shared/graphql'
import type { TimelineEvent } from '../shared/timeline'
import { GRAPHQL_USAGE, parseGraphqlArgs, type GraphqlCliCommand } from './graphql-args'
import { onInterrupt, signalWords, type Interrupt } from './interrupt'
import { reportLogCut } from './stream-cut-note'
import { byteCount, sizeLimit } from './byte-words'

/**
 * `flightdeck graphql <url>`: one GraphQL operation through the engine. A query or mutation prints its result
 * (exit 1 when it has errors, each said on stderr with its path and location); a subscription prints each
 * result as it arrives, read from the session's log, until the server completes it, it fails (exit 1),
 * `--max` results, `--duration`, Ctrl+C or a closed pipe. `--introspect` prints the schema as SDL.
 */

export interface GraphqlIo {
  out(text: string): void
  err(text: string): void
  onOutClosed?(listener: () => void): () => void
}

type Command = Extract<GraphqlCliCommand, { kind: 'graphql' }>

/** Most bytes of a result read back (a larger one is said, not printed cut). */
const MAX_RESULT = 64 * 1024 * 1024
const READ = 4 * 1024 * 1024

export async function runGraphqlCli(argv: readonly string[], io: GraphqlIo): Promise<number> {
  const command = parseGraphqlArgs(argv)
  if (command.kind === 'help') {
    io.out(`${GRAPHQL_USAGE}\n`)
    return 0
  }
  if (command.kind === 'error') {
    io.err(`flightdeck: ${command.message}\n`)
    return 2
  }
  // A FIFO no writer has opened is waited for (as curl waits); Ctrl+C or SIGTERM ends the wait in words, and the
  // read of one whose writer pauses.
  const files = fileOptions(command)
  const reads = new InputReads()
  const reading =
    files.length === 0
      ? null
      : onInterrupt((signal) => {
          const which = files.map(([option, given]) => `${option} ${given}`).join(', ')
          io.err(`flightdeck: stopped ${signalWords(signal)} while reading ${which}: nothing was sent\n`)
          reads.stop()
        })
  const inputs = await readInputs(command, reads).finally(() => reading?.off())
  if (reading && reading.signal !== null) return reading.exitCode(1)
  if (typeof inputs === 'string') {
    io.err(`flightdeck: ${inputs}\n`)
    return 2
  }
  const { pickOperation } = await import('../shared/graphql-document')
  const picked = pickOperation(inputs.query, command.operationName ?? undefined)
  if (!picked.ok) {
    io.err(`flightdeck: ${picked.error.message}${picked.error.detail ? ` (${picked.error.detail})` : ''}\n`)
    return 2
  }
  if (command.schema !== null) {
    const checked = await checkAgainstSchema(command.schema, inputs.query)
    if (checked !== null) {
      io.err(`flightdeck: ${checked}\n`)
      return 2
    }
  }
  const transport: GraphqlTransport =
    command.transport ?? (picked.value.type === 'subscription' ? 'ws' : 'http')
  const service = createEngineService({
    host: 'cli',
    flushEveryMs: 10,
    watchCollections: false,
    persistWorkspace: false,
  })
  // Listening from before the send: a held POST or a reservation the server never answers stops on Ctrl+C or
  // SIGTERM as the stream does, with a line saying so and 130 / 143. What a signal stops moves as the command goes.
  const stopping: Stopping = { stop: () => undefined }
  const interrupt = onInterrupt(() => stopping.stop())
  const signalled = new Promise<'signalled'>((resolve) => (stopping.stop = () => resolve('signalled')))
  try {
    const sending = service.invoke('graphql.send', {
      // The engine reads these as templates: each goes as the text meant (engine-template.ts).
      url: asTemplate(command.url),
      query: asTemplate(inputs.query),
      ...(inputs.variables ? jsonForEngine('variables', inputs.variables) : {}),
      ...(command.operationName ? { operationName: command.operationName } : {}),
      transport,
      method: command.method,
      headers: headersAsTemplates(command.headers),
      ...(inputs.params ? jsonForEngine('connectionParams', inputs.params) : {}),
      options: {
        insecure: command.insecure,
        ...(command.omit.length > 0 ? { omitDefaultHeaders: command.omit } : {}),
      },
      subscription: { reconnect: command.reconnect, insecure: command.insecure },
    })
    const sent = await Promise.race([sending, signalled])
    if (sent === 'signalled') {
      io.err(
        `flightdeck: stopped ${signalWords(interrupt.signal ?? 'SIGINT')} before the operation started\n`,
      )
      return interrupt.exitCode(1)
    }
    if (!sent.ok) {
      io.err(`flightdeck: ${sent.error.code}: ${sent.error.message}\n`)
      return sent.error.code === 'invalid_request' || sent.error.code === 'bad_payload' ? 2 : 1
    }
    const sid = sent.value.sid
    if (transport === 'http') {
      stopping.stop = () => void service.invoke('session.cancel', { sid })
      if (interrupt.signal !== null) stopping.stop()
      return interrupt.exitCode(await printQuery(service, sid, command, io))
    }
    return await followSubscription(service, sid, command, io, { interrupt, stopping })
  } finally {
    interrupt.off()
    await service.dispose()
  }
}

/** Null when the document validates against the SDL file's schema; else what is wrong, line and column. */
async function checkAgainstSchema(file: string, query: string): Promise<string | null> {
  const { MAX_SDL_BYTES, schemaFromSdl, validateAgainst } = await import('../shared/graphql-sdl')
  let sdl: string
  try {
    const size = (await stat(file)).size
    if (size > MAX_SDL_BYTES)
      return `the schema file ${file} is ${byteCount(size)}, past the ${sizeLimit(MAX_SDL_BYTES)} limit for --schema`
    sdl = await readFile(file, 'utf8')
  } catch (e) {
    return `cannot read --schema file ${file}: ${e instanceof Error ? e.message : String(e)}`
  }
  const schema = schemaFromSdl(sdl, file)
  if (!schema.ok) return schema.error.message
  const valid = validateAgainst(schema.value, query)
  if (valid.ok) return null
  const detail = valid.error.detail
  return detail && detail.includes('\n') ? `${valid.error.message}\n${detail}` : valid.error.message
}

/** What a Ctrl+C or SIGTERM stops: the send, then the query's exchange or the subscription. */
interface Stopping {
  stop: () => void
}

async function printQuery(service: EngineService, sid: string, c: Command, io: GraphqlIo): Promise<number> {
  const result = await service.waitForExchange(sid)
  const final = result.final
  if (final.type !== 'done') {
    io.err(
      final.type === 'error' ? `flightdeck: ${final.code}: ${final.message}\n` : 'flightdeck: cancelled\n',
    )
    return 1
  }
  if (final.body.size > MAX_RESULT) {
    io.err(
      `flightdeck: the result is ${byteCount(final.body.size)}, more than the ${sizeLimit(MAX_RESULT)} this command prints\n`,
    )
    return 1
  }
  let text = ''
  for (let offset = 0, i = 0; offset < final.body.size && i < MAX_RESULT / READ + 2; i++) {
    const r = await service.invoke('body.read', {
      bodyId: final.body.id,
      offset,
      length: READ,
      encoding: 'utf8',
    })
    if (!r.ok || r.value.length === 0) break
    text += r.value.data
    offset += r.value.length
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    io.err(
      `flightdeck: the server answered ${final.status} with a body that is not JSON (not a GraphQL result)\n`,
    )
    if (text) io.out(`${text.slice(0, 4096)}\n`)
    return 1
  }
  const summary = summarizeResult(value)
  if (!summary) {
    io.err(`flightdeck: the server answered ${final.status} with JSON that is not a GraphQL result\n`)
    io.out(`${JSON.stringify(value, null, 2)}\n`)
    return 1
  }
  const o = value as { data?: unknown; errors?: unknown }
  if (c.introspect && summary.hasData && summary.errorCount === 0) {
    const { buildClientSchema, printSchema } = await import('graphql')
    try {
      io.out(`${printSchema(buildClientSchema(o.data as Parameters<typeof buildClientSchema>[0]))}\n`)
      return 0
    } catch (e) {
      io.err(
        `flightdeck: the introspection result is not a schema: ${e instanceof Error ? e.message : String(e)}\n`,
      )
      return 1
    }
  }
  if (c.json) {
    io.out(
      `${JSON.stringify({ type: 'result', status: final.status, data: o.data ?? null, ...(o.errors !== undefined ? { errors: o.errors } : {}), t: Math.round(final.t) })}\n`,
    )
  } else {
    io.out(`${JSON.stringify(value, null, 2)}\n`)
  }
  for (const e of summary.errors) io.err(`flightdeck: GraphQL error: ${errorLine(e)}\n`)
  if (summary.errorCount > summary.errors.length)
    io.err(`flightdeck: … and ${summary.errorCount - summary.errors.length} more errors\n`)
  return summary.errorCount > 0 || final.status >= 400 ? 1 : 0
}

async function followSubscription(
  service: EngineService,
  sid: string,
  c: Command,
  io: GraphqlIo,
  { interrupt, stopping }: { interrupt: Interrupt; stopping: Stopping },
): Promise<number> {
  let cursor = 0
  let results = 0
  /** Results that carried GraphQL errors: the run exits 1 when there were any, as a query with errors does. */
  let withErrors = 0
  let closing = false
  const close = (): void => {
    if (closing) return
    closing = true
    void service.invoke('session.cancel', { sid })
  }
  const drain = (): void => {
    const log = service.streamLog(sid)
    if (!log) return
    // Bounded by the log's entries: each turn reads one entry, and the log only grows.
    for (let entry = log.entry(cursor, MAX_RESULT); entry; entry = log.entry(cursor, MAX_RESULT)) {
      cursor++
      if (entry.dir !== 'in' || (entry.event !== 'next' && entry.event !== 'data')) continue
      if (c.max !== null && results >= c.max) continue
      results++
      if (printResult(entry.data, entry.t, entry.kind === 'event', c, io)) withErrors++
      if (c.max !== null && results >= c.max) close()
    }
  }
  const print = (e: TimelineEvent): void => {
    if (e.type === 'stream-open' && e.attempt === 0 && c.json)
      io.out(`${JSON.stringify({ type: 'open', protocol: e.protocol ?? 'sse', t: Math.round(e.t) })}\n`)
    if (e.type === 'retry') {
      if (c.json)
        io.out(
          `${JSON.stringify({ type: 'retry', attempt: e.attempt, reason: e.reason, t: Math.round(e.t) })}\n`,
        )
      else io.err(`flightdeck: reconnecting (attempt ${e.attempt}) in ${e.delayMs} ms: ${e.reason}\n`)
    }
  }
  const off = service.subscribe((batch) => {
    let messages = false
    for (const e of batch.events) {
      if (e.sid !== sid) continue
      if (e.type === 'ws-message' || e.type === 'sse-event') messages = true
      else print(e)
    }
    if (messages) drain()
  })
  stopping.stop = close
  if (interrupt.signal !== null) close()
  const offOut = io.onOutClosed?.(close)
  const timer = c.durationMs !== null ? setTimeout(close, c.durationMs) : null
  try {
    const outcome = await service.waitForStream(sid)
    service.flush()
    drain()
    reportLogCut(service, sid, io.err)
    const final = outcome.final
    if (final.type === 'error') {
      if (c.json)
        io.out(
          `${JSON.stringify({ type: 'error', code: final.code, message: final.message, t: Math.round(final.t) })}\n`,
        )
      io.err(`flightdeck: ${final.code}: ${final.message}\n`)
      if (final.detail && final.code === 'graphql') io.err(`${final.detail}\n`)
      return interrupt.exitCode(1)
    }
    if (c.json)
      io.out(
        `${JSON.stringify({ type: closing ? 'stopped' : 'complete', results, ...(withErrors ? { withErrors } : {}), t: Math.round(final.t) })}\n`,
      )
    else
      io.err(
        `flightdeck: ${closing ? 'stopped' : 'completed'} after ${results} result${results === 1 ? '' : 's'}${withErrors ? ` (${withErrors} with GraphQL errors)` : ''}\n`,
      )
    return interrupt.exitCode(withErrors > 0 ? 1 : 0)
  } finally {
    off()
    offOut?.()
    if (timer) clearTimeout(timer)
  }
}

/**
 * One result: over a WebSocket it is the message's payload, over SSE the event's data itself (in single
 * connection mode wrapped as `{id, payload}`). True when it carried GraphQL errors.
 */
function printResult(data: string, t: number, sse: boolean, c: Command, io: GraphqlIo): boolean {
  let result: unknown
  try {
    const v = JSON.parse(data) as { payload?: unknown; id?: unknown }
    result = sse && !(typeof v.id === 'string' && 'payload' in v) ? v : v.payload
  } catch {
    io.err(`flightdeck: a result that is not JSON: ${data.slice(0, 200)}\n`)
    return false
  }
  const o = (typeof result === 'object' && result !== null ? result : {}) as {
    data?: unknown
    errors?: unknown
  }
  const summary = summarizeResult(result)
  const errors = (summary?.errorCount ?? 0) > 0
  if (c.json) {
    io.out(
      `${JSON.stringify({ type: 'next', data: o.data ?? null, ...(o.errors !== undefined ? { errors: o.errors } : {}), t: Math.round(t) })}\n`,
    )
    return errors
  }
  io.out(`${JSON.stringify(result)}\n`)
  for (const e of summary?.errors ?? []) io.err(`flightdeck: GraphQL error: ${errorLine(e)}\n`)
  return errors
}
