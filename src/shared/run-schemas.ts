import { z } from 'zod'
import type { ScriptPhaseReport } from './scripts'
import { lazySchema } from './lazy-schema'

/**
 * Payload schemas of the runner's commands and its progress event: run a request, folder or whole collection
 * with concurrency, iterations, pacing and a data file; watch it; cancel it. contract.ts names the commands and
 * the event. The CLI (`flightdeck run`) uses the same commands.
 */

const runId = lazySchema(() => z.string().min(1).max(64))

/** Most results one `run.get` returns (the latest); counts and statistics always cover the whole run. */
export const MAX_SNAPSHOT_RESULTS = 1000
/** `run.progress` goes out at most this often per run. */
export const RUN_PROGRESS_EVERY_MS = 100
/**
 * Step runs one run may have (steps × iterations, × a data file's rows): the engine refuses a bigger run, and the
 * CLI's `--iterations` stops at the same number (one request run that often is the biggest run there is).
 */
export const MAX_RUN_STEPS = 1_000_000

/** Plan the run (reading the collection now), start it and answer at once; progress comes as events. */
export const runStartPayload = lazySchema(() =>
  z
    .object({
      /** The collection folder. */
      dir: z.string().min(1).max(4096),
      /** '' for the whole collection, a folder, or one request file (dependencies are pulled in). */
      path: z.string().max(4096),
      /** An environment id (a file stem in `environments/`). */
      env: z.string().max(256).optional(),
      concurrency: z.number().int().min(1).max(1000),
      /** With a data file: passes over all of its rows. */
      iterations: z.number().int().min(1).max(MAX_RUN_STEPS),
      /** Wait this long between starting two requests. */
      delayMs: z.number().int().min(0).max(3_600_000).optional(),
      /** Start at most this many requests per second. */
      ratePerSecond: z.number().positive().max(1_000_000).optional(),
      /**
       * A CSV (with a header row) or JSON (an array of objects) file whose rows become variables; a relative
       * path is taken from the collection folder.
       */
      dataFile: z.string().min(1).max(4096).optional(),
      /** Stop starting new requests after the first failure. */
      bail: z.boolean().optional(),
      /**
       * Requests whose imported scripts were not (all) translated pass on their other checks alone. Without it
       * such a step fails, saying its scripts were not run, so a collection whose checks lived in scripts never
       * runs green on checks it did not make.
       */
      allowUntranslatedScripts: z.boolean().optional(),
      /** Run the requests' untranslated scripts (the default); false: they are not run, as before scripts ran. */
      scripts: z.boolean().optional(),
      /**
       * When a step uses `{{$webhook}}` and the engine's webhook inbox is not listening, it is started on
       * 127.0.0.1 at this port (0 or absent: a free one) and left running. A running inbox is used as it is.
       */
      webhookPort: z.number().int().min(0).max(65_535).optional(),
      /**
       * Trace context for every HTTP step in place of the requests' own `trace:` mode: one trace for the run,
       * a fresh one per request, or none.
       */
      trace: z.enum(['per-run', 'per-send', 'off']).optional(),
      /** Every step accepts TLS certificates that do not verify (`flightdeck run -k`), whatever its own options say. */
      insecure: z.boolean().optional(),
      /**
       * A CA file the person named for the run (`flightdeck run --cacert`), in place of every step's `caFile`:
       * theirs, not the collection's, so it is read as given and not confined.
       */
      caFile: z.string().min(1).max(4096).optional(),
    })
    .strict(),
)

export const runCancelPayload = lazySchema(() => z.object({ runId }).strict())

export const runGetPayload = lazySchema(() => z.object({ runId }).strict())

export interface AssertionOutcome {
  /** The assertion in words, e.g. `status equals 200`. */
  name: string
  passed: boolean
  message: string
  /** A script test from a collection's or folder's script: which (`folder "Auth"`); the name stays newman's. */
  where?: string
}

/** One step of one iteration, finished. */
export interface StepResultSummary {
  stepId: string
  name: string
  /** The request file in the collection. */
  path: string
  iteration: number
  /** The last attempt's session (earlier attempts are on its lane). */
  sid?: string
  attempts: number
  status?: number
  error?: { code: string; message: string }
  timeMs: number
  passed: boolean
  /** The response's checks, then (for `waitForWebhook`) the wait and the call's checks, all in words. */
  assertions: AssertionOutcome[]
  /** A step with `waitForWebhook` whose response passed: the call it waited for, if one came. */
  webhook?: WebhookWaitSummary
  /** A step with `followJob` or `longPoll`: how the job went (`status` and `timeMs` are then the job's). */
  job?: JobRunSummary
  /** The W3C trace id the step's request went out with, when it carried a traceparent. */
  traceId?: string
  /**
   * How many of its requests went a second time: the server cut the first off before any response (closed the
   * kept-alive connection it went on, refused its HTTP/2 stream, or ended the connection with a GOAWAY).
   */
  resent?: number
  /** The request's scripts, per phase: their tests (also among `assertions`), failure and console. */
  scripts?: { pre?: ScriptPhaseReport; post?: ScriptPhaseReport }
}

export interface JobRunSummary {
  mode: 'follow' | 'long-poll'
  /**
   * Following a job: completed, failed, deadline, max_polls, error or cancelled. Long polling: matched,
   * max_repeats, deadline, error or cancelled.
   */
  outcome: string
  /** Polls after the request that started the job (a long poll: requests after the first). */
  polls: number
  /** From the request that started it being sent to the last answer. */
  durationMs: number
  message: string
  statusUrl?: string
}

export interface WebhookWaitSummary {
  timeoutMs: number
  /** The call's session on the timeline (linked to the step's request). */
  callSid?: string
  method?: string
  /** The path after the token, e.g. `/done`. */
  path?: string
  /** How long after the response the call came (0 when it came first). */
  waitedMs?: number
}

/** The webhook inbox a run uses: its URL, and whether the run started it. */
export interface RunWebhookInbox {
  url: string
  startedForRun: boolean
}

/** Latency over a run's finished steps, in ms. */
export interface RunStats {
  total: number
  passed: number
  failed: number
  /** Steps that ended in a network error (no response). */
  errors: number
  /** Steps that got a response: the percentiles are theirs alone (absent: every step counted). */
  responses?: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
  /** Buckets by upper bound; `upToMs: null` holds everything slower than the last bound. */
  histogram: { upToMs: number | null; count: number }[]
  /** Per Server-Timing name the servers reported with a duration: how many responses, and percentiles in ms. */
  serverTiming?: { name: string; count: number; p50: number; p90: number; p99: number; max: number }[]
  /** Names left out past the bound, in plain words. */
  serverTimingNote?: string
}

export interface RunFinished {
  stats: RunStats
  /** Steps finished in each second since the start (`t` in whole seconds). */
  throughput: { t: number; rps: number }[]
  bailed: boolean
  cancelled: boolean
  durationMs: number
  /**
   * A script's setNextRequest chose what ran next (a loop, or null ending an iteration): the step runs are not
   * the planned count, and that is not a failure.
   */
  directed?: boolean
  /** The run stopped on an error the runner did not expect: what it said. Not a cancel; the run failed. */
  internalError?: string
}

/** Pass/fail and latency per request of the run (all iterations). */
export interface RequestSummary {
  stepId: string
  name: string
  path: string
  passed: number
  failed: number
  /** Runs of it that got a response: the percentiles are theirs alone (absent: every run counted). */
  responses?: number
  p50: number
  p90: number
  p99: number
  max: number
}

export interface RunSnapshot {
  runId: string
  dir: string
  path: string
  env?: string
  /** Wall-clock ms. */
  startedAt: number
  state: 'running' | 'finished'
  done: number
  total: number
  passed: number
  failed: number
  requests: RequestSummary[]
  /** The latest results, at most MAX_SNAPSHOT_RESULTS. */
  results: StepResultSummary[]
  finished?: RunFinished
  /** When a step uses `{{$webhook}}`. */
  webhookInbox?: RunWebhookInbox
  /** What the plan found that the run should say (a carried-down script that runs twice). */
  warnings?: string[]
}

export interface RunProgressEvent {
  runId: string
  done: number
  total: number
  passed: number
  failed: number
  /** Results new since the previous event of this run. */
  results: StepResultSummary[]
  /** On the last event of a run only. */
  finished?: RunFinished
}
