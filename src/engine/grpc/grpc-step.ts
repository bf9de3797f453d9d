import { STATUS_NAMES, grpcSendsMany, grpcStatusText, type GrpcStatusInfo } from '../../shared/grpc'
import type { GrpcRequest } from '../../shared/grpc-request'
import type { RequestSpec } from '../../shared/request'
import type { AuthSpec } from '../../shared/collection'
import type { Result } from '../../shared/result'
import { DEFAULT_STOP, type Assertion, type StopSpec } from '../../shared/run-spec'
import { confinePath, type FileScope } from '../files/confine'
import { checkCount, type AssertionResult } from '../runner/checks'
import { refusedStep, type StreamDeps, type StreamStepOutcome } from '../runner/stream-step'
import { grpcCallMetadata } from './grpc-auth'
import type { Authorize } from '../mqtt/messaging-token'
import { savedGrpcMessages } from './grpc-saved-messages'
import { grpcEngineFor } from './grpc-registry'
import { streamLogCutText } from '../../shared/stream-log-cut'

/**
 * A run's gRPC step: one call of any kind (the request's messages sent, then half-closed), ended by the server
 * or by the stop condition — `count` messages received, a message matching `match`, or `durationMs` (10 s
 * when nothing is said: a stream left open must not hold a run). A status other than OK fails the step with
 * it in plain words, unless the step checks the status (`grpc-status`); checks: `grpc-status`,
 * `message-count`, `json` (on the last message received: a unary call's reply), `body-contains` (any message
 * received), `duration-under`.
 */

export interface GrpcStepInput {
  /** Variables resolved: the target in `url`, metadata in `headers`, TLS options in `options`. */
  spec: RequestSpec
  /** The request's auth as it applies (inherited resolved), values resolved: sent as metadata (grpc-auth.ts). */
  auth: AuthSpec
  /** Fetches an OAuth 2.0 token (the run's AuthRunner, whose cache its HTTP steps share). */
  authorize?: Authorize
  messages: string[]
  grpc: GrpcRequest
  stop: StopSpec
  assertions: Assertion[]
  /** The collection folder and what it may read (proto files are confined as body files are). */
  files?: FileScope
  signal?: AbortSignal
}

const READ_BATCH = 2000
const UNAUTHENTICATED = 16
const MATCH_BYTES = 64 * 1024

export async function runGrpcStep(deps: StreamDeps, input: GrpcStepInput): Promise<StreamStepOutcome> {
  const started = Date.now()
  const { spec, grpc } = input
  const metadata = await grpcCallMetadata(spec.headers, input.auth, input.authorize)
  if (!metadata.ok) return refusedStep(metadata.error, started)
  // A token the server refuses is dropped, so the next step fetches a fresh one (as after an HTTP 401).
  const refused = metadata.value.refused
  const engine = await grpcEngineFor(deps.streams)
  const scope = input.files
  const place = {
    base: scope?.root ?? process.cwd(),
    ...(scope
      ? { confine: (abs: string, what: string): Promise<Result<string>> => confinePath(abs, scope, what) }
      : {}),
  }
  const call = {
    target: spec.url,
    metadata: metadata.value.metadata,
    schema: grpc.proto?.length
      ? { kind: 'proto' as const, files: grpc.proto, importPaths: grpc.importPaths ?? [] }
      : { kind: 'reflection' as const },
    tls: {
      plaintext: /^grpc:\/\//i.test(spec.url.trim()),
      insecure: spec.options.insecure,
      caFile: spec.options.caFile,
    },
  }
  // The method's kind says how the saved message text is read, as the app reads it (the schema is kept: the
  // call below reuses it).
  const schema = await engine.schema({ ...call, ...place })
  if (!schema.ok) {
    if (/\bUNAUTHENTICATED \(16\)/.test(schema.error.message)) refused?.()
    return refusedStep(schema.error, started)
  }
  const method = schema.value.method(grpc.method)
  if (!method.ok) return refusedStep(method.error, started)
  const opened = await engine.open(
    {
      ...call,
      method: grpc.method,
      messages: savedGrpcMessages(input.messages, grpcSendsMany(method.value.info.kind)),
      deadlineMs: grpc.deadlineMs,
      connectTimeoutMs: spec.options.connectTimeoutMs,
      maxMessageBytes: grpc.maxMessageBytes,
    },
    place,
  )
  if (!opened.ok) return refusedStep(opened.error, started)
  const sid = opened.value.sid
  const { streams } = deps
  const re = input.stop.match !== undefined ? new RegExp(input.stop.match) : null
  const wantCount = input.stop.count
  const durationMs = input.stop.durationMs ?? DEFAULT_STOP.durationMs
  let seen = 0
  let count = 0
  let met = false
  let closing = false
  let last: string | null = null
  const texts: string[] = []
  let kept = 0
  let notKept: string | null = null
  const close = (): void => {
    if (closing) return
    closing = true
    streams.close(sid)
  }
  const scan = (): void => {
    for (let guard = 0; guard < 1000; guard++) {
      const page = streams.read({ sid, from: seen, count: READ_BATCH, maxData: MATCH_BYTES })
      // Messages past the log's cut are not there to count or match: a step that waits for them says so.
      if (page.ok && page.value.dropped > 0) notKept = streamLogCutText(page.value.dropped, page.value.cut)
      if (!page.ok || page.value.entries.length === 0) return
      seen += page.value.entries.length
      for (const e of page.value.entries) {
        // Messages that arrive while the stop is under way are past the condition: not counted.
        if (e.dir !== 'in' || e.kind !== 'text' || met) continue
        count++
        last = e.data
        // body-contains looks at the messages received, up to a bound.
        if (kept < 4 * 1024 * 1024) {
          texts.push(e.data)
          kept += e.data.length
        }
        if ((wantCount !== undefined && count >= wantCount) || (re && re.test(e.data))) met = true
      }
    }
  }
  const off = deps.subscribe((batch) => {
    if (met || !batch.events.some((e) => e.sid === sid)) return
    scan()
    if (met) close()
  })
  const timer = setTimeout(close, durationMs)
  const onAbort = (): void => close()
  input.signal?.addEventListener('abort', onAbort, { once: true })
  if (input.signal?.aborted) close()
  let final
  try {
    final = (await streams.wait(sid)).final
  } finally {
    clearTimeout(timer)
    off()
    input.signal?.removeEventListener('abort', onAbort)
  }
  scan()
  const timeMs = Date.now() - started
  const status = engine.outcome(sid)?.status ?? null
  if (status?.code === UNAUTHENTICATED) refused?.()
  let error: StreamStepOutcome['error']
  // A step that checks the status expects it: a status other than OK is that check's to pass or fail.
  const statusChecked = status !== null && input.assertions.some((a) => a.kind === 'grpc-status')
  if (input.signal?.aborted && !met) error = { code: 'cancelled', message: 'Cancelled' }
  else if (final.type === 'error' && !statusChecked) error = { code: final.code, message: final.message }
  else if (!met && (wantCount !== undefined || re)) {
    const wanted = re ? `a message matching /${input.stop.match ?? ''}/` : `${wantCount ?? 0} messages`
    const how = closing ? `stopped after ${durationMs} ms` : 'the call ended'
    error = {
      code: 'stop_not_met',
      message: `${how} with ${count} message${count === 1 ? '' : 's'}, before ${wanted}${notKept ? ` (${notKept})` : ''}`,
    }
  }
  return {
    sid,
    status: status ? status.code : undefined,
    error,
    timeMs,
    messages: count,
    assertions: input.assertions.map((a) =>
      grpcAssertion(a, count, last, texts, timeMs, status, met && closing),
    ),
  }
}

function grpcAssertion(
  a: Assertion,
  count: number,
  last: string | null,
  texts: string[],
  timeMs: number,
  status: GrpcStatusInfo | null,
  stopped: boolean,
): AssertionResult {
  switch (a.kind) {
    case 'grpc-status': {
      const want = typeof a.equals === 'number' ? a.equals : STATUS_NAMES.indexOf(a.equals)
      const wanted = grpcStatusText(want)
      if (status === null) {
        const why = stopped
          ? 'the run ended the call at its stop condition before any status'
          : 'no status came'
        return { assertion: a, passed: false, message: `${why}, expected ${wanted}` }
      }
      const got = grpcStatusText(status.code, status.message)
      const passed = status.code === want
      return { assertion: a, passed, message: passed ? `status ${got}` : `status ${got}, expected ${wanted}` }
    }
    case 'message-count':
      return { assertion: a, ...checkCount(a, count) }
    case 'duration-under':
      return {
        assertion: a,
        passed: timeMs < a.ms,
        message: `${timeMs} ms${timeMs < a.ms ? '' : `, not under ${a.ms} ms`}`,
      }
    case 'body-contains': {
      const passed = texts.some((t) => t.includes(a.text))
      return {
        assertion: a,
        passed,
        message: passed ? `a message contains "${a.text}"` : `no message contains "${a.text}"`,
      }
    }
    case 'json': {
      if (last === null) return { assertion: a, passed: false, message: 'no message was received' }
      const found = jsonAt(JSON.parse(last) as unknown, a.path)
      if (a.exists !== undefined) {
        const passed = (found !== undefined) === a.exists
        return {
          assertion: a,
          passed,
          message: `${a.path} ${found !== undefined ? 'exists' : 'does not exist'}`,
        }
      }
      const passed = found === a.equals || (found !== undefined && String(found) === String(a.equals))
      return {
        assertion: a,
        passed,
        message: `${a.path} is ${JSON.stringify(found)}${passed ? '' : `, expected ${JSON.stringify(a.equals)}`}`,
      }
    }
    default:
      return {
        assertion: a,
        passed: false,
        message: `${a.kind} does not apply to a gRPC call; use grpc-status, json, body-contains or message-count`,
      }
  }
}

/** `$.a.b[0].c` in a message (the dotted and indexed paths the runner's json checks use). */
function jsonAt(value: unknown, path: string): unknown {
  const parts = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? []
  let at: unknown = value
  for (const raw of parts.slice(0, 64)) {
    const key = raw.startsWith('[') ? Number(raw.slice(1, -1)) : raw
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<string | number, unknown>)[key]
  }
  return at
}
