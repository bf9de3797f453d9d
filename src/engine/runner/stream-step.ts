import { DEFAULT_STOP, type Assertion, type StopSpec } from '../../shared/run-spec'
import type { TimelineBatch } from '../../shared/contract'
import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import type { GraphqlTransport } from '../../shared/graphql'
import type { Result } from '../../shared/result'
import type { StreamEntry } from '../../shared/streams'
import { applySimpleAuth } from '../auth/apply-auth'
import { checkUrlScheme, graphqlUrlMode } from '../sessions/url-schemes'
import { connectOptionsOf } from '../sessions/connect-options'
import type { StreamEngine } from '../streams/stream-engine'
import { checkCount, type AssertionResult } from './checks'
import { streamLogCutText } from '../../shared/stream-log-cut'

/**
 * A run's SSE or WebSocket step: open the session (no reconnects: a run measures one connection), count the
 * incoming messages, and close it when the stop condition holds — `count` messages, a message whose data
 * matches `match`, or `durationMs` — or when the server ends it. With no condition it stops after
 * DEFAULT_STOP (100 messages or 10 s). A `count` or `match` that is not met by the end fails the step.
 *
 * A session whose handshake fails (an SSE response that is not 2xx, a WebSocket upgrade refused, a connection
 * that never opens) fails the step whatever its stop condition, with the status the server answered.
 */

export interface StreamDeps {
  streams: StreamEngine
  /** The engine's timeline batches (for the handshake status and to know when messages arrived). */
  subscribe(listener: (batch: TimelineBatch) => void): () => void
}

export interface StreamStepHooks {
  /**
   * `auth` is the step's, for a session that `authorizes` its own requests; others get `spec` authorized, and
   * `refused` to call when the server refuses what it carried (a cached OAuth token is then dropped).
   */
  open(spec: RequestSpec, auth: AuthSpec, refused?: () => void): Promise<Result<{ sid: string }>>
  afterOpen(): void
  /**
   * The session sends several requests and authorizes each itself (GraphQL over SSE's single connection mode:
   * a PUT, a GET, POSTs and DELETEs, whose digest answers differ by method), so the step does not authorize one.
   */
  authorizes?: boolean
}

export interface StreamStepInput {
  /**
   * `graphql`: a GraphQL operation over a WebSocket transport, or over SSE's single connection mode (the
   * engine's GraphQL sessions, by `hooks`).
   */
  kind: 'sse' | 'ws' | 'mqtt' | 'socketio' | 'graphql'
  /** GraphQL: its transport, whose URL schemes the step takes (SSE's single connection mode: http:// or https://). */
  graphqlTransport?: GraphqlTransport
  /**
   * MQTT, Socket.IO and GraphQL: how the session opens (with the request as authorized), and what it sends
   * once open (engine/mqtt/messaging-step.ts, engine/graphql/graphql-ws-step.ts).
   */
  hooks?: StreamStepHooks
  /** Checks of the messages' content the session's protocol understands (GraphQL: its results); null: not one. */
  assert?: (a: Assertion, sid: string) => AssertionResult | null
  /** Checks the protocol adds to the step's own (GraphQL: results that carried errors fail the step). */
  implied?: (assertions: readonly Assertion[], sid: string) => AssertionResult[]
  /** Which log entries are the messages counted, when the protocol says (GraphQL over SSE: `next` events). */
  counts?: (e: StreamEntry) => boolean
  /** Variables resolved. */
  spec: RequestSpec
  /** The effective auth, resolved; applied by `authorize` (OAuth 2.0 tokens, digest for SSE) or simply. */
  auth: AuthSpec
  authorize?: (
    spec: RequestSpec,
    auth: AuthSpec,
    session: 'SSE' | 'WebSocket',
  ) => Promise<Result<{ spec: RequestSpec; refused?: () => void }>>
  protocols: string[]
  /** WebSocket: texts sent in order once the connection is open. */
  messages: string[]
  stop: StopSpec
  assertions: Assertion[]
  signal?: AbortSignal
}

export interface StreamStepOutcome {
  sid: string | undefined
  status: number | undefined
  error: { code: string; message: string } | undefined
  timeMs: number
  messages: number
  assertions: AssertionResult[]
}

const SESSION_WORDS = {
  sse: 'stream',
  ws: 'WebSocket',
  mqtt: 'MQTT connection',
  socketio: 'Socket.IO connection',
  graphql: 'subscription',
}

/** Most data bytes of one message the match looks at. */
const MATCH_BYTES = 64 * 1024
const READ_BATCH = 2000

function incoming(kind: StreamStepInput['kind'], e: StreamEntry): boolean {
  if (kind === 'sse') return e.kind === 'event' || e.kind === 'line' || e.kind === 'chunk'
  if (kind === 'mqtt' || kind === 'socketio') return e.dir === 'in' && e.kind !== 'control'
  // A GraphQL session's log has the whole protocol (ack, keep-alives, complete): only results count.
  if (kind === 'graphql') return e.dir === 'in' && (e.event === 'next' || e.event === 'data')
  return e.dir === 'in' && (e.kind === 'text' || e.kind === 'binary')
}

/** A step refused before any session or call was opened: the reason, and no checks run. */
export function refusedStep(error: { code: string; message: string }, started: number): StreamStepOutcome {
  return {
    sid: undefined,
    status: undefined,
    error: { code: error.code, message: error.message },
    timeMs: Date.now() - started,
    messages: 0,
    assertions: [],
  }
}

export async function runStreamStep(deps: StreamDeps, input: StreamStepInput): Promise<StreamStepOutcome> {
  const started = Date.now()
  const { streams } = deps
  const mode =
    input.kind !== 'graphql' ? input.kind : graphqlUrlMode(input.graphqlTransport ?? 'transport-ws')
  const scheme = checkUrlScheme(mode, input.spec.url)
  if (!scheme.ok) return refusedStep(scheme.error, started)
  const authorized: Result<{ spec: RequestSpec; refused?: () => void }> = input.hooks?.authorizes
    ? { ok: true, value: { spec: input.spec } }
    : input.authorize
      ? await input.authorize(input.spec, input.auth, input.kind === 'sse' ? 'SSE' : 'WebSocket')
      : { ok: true, value: { spec: applySimpleAuth(input.spec, input.auth) } }
  if (!authorized.ok) return refusedStep(authorized.error, started)
  const { spec, refused } = authorized.value
  const hooks = refused ? { onUnauthorized: refused } : {}
  const opened = input.hooks
    ? await input.hooks.open(spec, input.auth, refused)
    : input.kind === 'sse'
      ? streams.openSse({ request: spec, stream: { reconnect: false } }, hooks)
      : streams.openWs(
          {
            url: spec.url,
            headers: spec.headers,
            protocols: input.protocols,
            options: {
              reconnect: false,
              ...connectOptionsOf(spec.options),
            },
          },
          hooks,
        )
  if (!opened.ok)
    return {
      sid: undefined,
      status: undefined,
      error: { code: opened.error.code, message: opened.error.message },
      timeMs: Date.now() - started,
      messages: 0,
      assertions: [],
    }
  const sid = opened.value.sid

  const wantCount =
    input.stop.count ?? (input.stop.match || input.stop.durationMs ? undefined : DEFAULT_STOP.count)
  const durationMs = input.stop.durationMs ?? DEFAULT_STOP.durationMs
  const re = input.stop.match !== undefined ? new RegExp(input.stop.match) : null
  let status: number | undefined
  /** The first connection opened (a 2xx stream, a WebSocket upgraded): only then do messages count. */
  let streamOpen = false
  let count = 0
  let seen = 0
  let matched = false
  let met = false
  let closing = false
  let sentMessages = false
  let notKept: string | null = null

  const close = (): void => {
    if (closing) return
    closing = true
    streams.close(sid)
  }
  const scan = (): void => {
    for (let guard = 0; guard < 1000 && !met; guard++) {
      const page = streams.read({ sid, from: seen, count: READ_BATCH, maxData: re ? MATCH_BYTES : 0 })
      // Messages past the log's cut are not there to count or match: a step that waits for them says so.
      if (page.ok && page.value.dropped > 0) notKept = streamLogCutText(page.value.dropped, page.value.cut)
      if (!page.ok || page.value.entries.length === 0) return
      seen += page.value.entries.length
      for (const e of page.value.entries) {
        if (!(input.counts ? input.counts(e) : incoming(input.kind, e))) continue
        count++
        if (re && e.encoding === 'utf8' && re.test(e.data)) matched = true
        if ((wantCount !== undefined && count >= wantCount) || matched) {
          met = true
          break
        }
      }
    }
  }
  const off = deps.subscribe((batch) => {
    let touched = false
    for (const e of batch.events) {
      if (e.sid !== sid) continue
      touched = true
      // A refused handshake has no stream-open: its status is the response's (the last hop's, after redirects).
      if (e.type === 'response-headers' && !streamOpen) status = e.status
      if (e.type === 'stream-open' && e.attempt === 0) {
        streamOpen = true
        status = e.status
        if (input.kind === 'ws' && !sentMessages) {
          sentMessages = true
          for (const text of input.messages) void streams.send({ sid, kind: 'text', data: text })
        }
        if (input.hooks && !sentMessages) {
          sentMessages = true
          input.hooks.afterOpen()
        }
      }
    }
    if (touched && !met && streamOpen) {
      scan()
      if (met) close()
    }
  })
  const timer = setTimeout(close, durationMs)
  const onAbort = (): void => close()
  input.signal?.addEventListener('abort', onAbort, { once: true })
  if (input.signal?.aborted) close()
  let final
  try {
    const outcome = await streams.wait(sid)
    final = outcome.final
    // The batches may not have brought the handshake yet when the session ends: the engine knows it.
    streamOpen = outcome.handshake.opened
    status = outcome.handshake.status ?? status
  } finally {
    clearTimeout(timer)
    off()
    input.signal?.removeEventListener('abort', onAbort)
  }
  if (!met && streamOpen) scan()
  const timeMs = Date.now() - started

  let error: StreamStepOutcome['error']
  const timedOut = closing && !met && !input.signal?.aborted
  if (input.signal?.aborted && !met) error = { code: 'cancelled', message: 'Cancelled' }
  else if (final.type === 'error' && (!met || !streamOpen))
    error = { code: final.code, message: final.message }
  else if (!streamOpen)
    error = {
      code: 'timeout_connect',
      message: `${stoppedAfterWords(durationMs, input.stop.durationMs === undefined)} before the ${SESSION_WORDS[input.kind]} opened`,
    }
  else if (!met && (input.stop.count !== undefined || re)) {
    const wanted = re ? `a message matching /${input.stop.match ?? ''}/` : `${input.stop.count ?? 0} messages`
    const how = timedOut
      ? stoppedAfterWords(durationMs, input.stop.durationMs === undefined)
      : 'the stream ended'
    error = {
      code: 'stop_not_met',
      message: `${how} with ${count} message${count === 1 ? '' : 's'}, before ${wanted}${notKept ? ` (${notKept})` : ''}`,
    }
  }
  return {
    sid,
    status,
    error,
    timeMs,
    messages: count,
    assertions: [
      ...input.assertions.map((a) => input.assert?.(a, sid) ?? streamAssertion(a, status, count)),
      ...(input.implied?.(input.assertions, sid) ?? []),
    ],
  }
}

/**
 * How a step's wait ended, in words. A step with a count or a match and no `durationMs` waits DEFAULT_STOP's
 * 10 s, so a CI run ends when a stream falls silent: that cut says it was the default and how to wait longer.
 */
export function stoppedAfterWords(durationMs: number, byDefault: boolean): string {
  return `stopped after ${durationMs} ms${byDefault ? ' (the default wait of a stream step: set stop.durationMs to wait longer)' : ''}`
}

/** What can be checked of a stream: the handshake status and the message count. */
function streamAssertion(a: Assertion, status: number | undefined, count: number): AssertionResult {
  if (a.kind === 'message-count') return { assertion: a, ...checkCount(a, count) }
  if (a.kind === 'status') {
    if (status === undefined) return { assertion: a, passed: false, message: 'no handshake status' }
    const passed =
      a.equals !== undefined
        ? status === a.equals
        : a.oneOf
          ? a.oneOf.includes(status)
          : status >= (a.min ?? 0) && status <= (a.max ?? 999)
    return {
      assertion: a,
      passed,
      message: `status ${status}${passed ? ' is as expected' : ' is not as expected'}`,
    }
  }
  return {
    assertion: a,
    passed: false,
    message: `${a.kind} does not apply to a stream; use status or message-count`,
  }
}
