import { formatMs } from '../shared/format'
import type { RequestSummary, RunFinished, StepResultSummary } from '../shared/run-schemas'
import {
  addJob,
  addResent,
  type JobTally,
  type ResentTally,
  type RunTallied,
} from '../engine/runner/result-tally'

/**
 * What `flightdeck run` writes: the summary table for people and run.json (JUnit XML for CI: run-junit.ts). Pure,
 * so the formats are tested without a network.
 */

export interface RunOutcome {
  collection: string
  dir: string
  path: string
  env?: string
  /** Wall-clock ms. */
  startedAt: number
  /** Planned step runs. */
  total: number
  iterations: number
  /** Planned requests, in plan order. */
  steps: { id: string; name: string; path: string }[]
  requests: RequestSummary[]
  results: StepResultSummary[]
  finished: RunFinished
  /** What the plan found that the run should say (a carried-down script that runs twice). */
  warnings?: string[]
  /**
   * A run that kept only failures (the table alone needs no more): what was counted of every result. `results`
   * then holds the first failures only.
   */
  tallied?: RunTallied
}

export interface JsonRunReport {
  collection: string
  dir: string
  path: string
  env?: string
  startedAt: string
  durationMs: number
  total: number
  done: number
  passed: number
  failed: number
  bailed: boolean
  cancelled: boolean
  stats: RunFinished['stats']
  throughput: RunFinished['throughput']
  requests: RequestSummary[]
  results: StepResultSummary[]
  warnings?: string[]
  /** The run stopped on an error the runner did not expect. */
  internalError?: string
}

export function jsonReport(o: RunOutcome): JsonRunReport {
  const passed = o.results.filter((r) => r.passed).length
  const out: JsonRunReport = {
    collection: o.collection,
    dir: o.dir,
    path: o.path,
    startedAt: new Date(o.startedAt).toISOString(),
    durationMs: o.finished.durationMs,
    total: o.total,
    done: o.results.length,
    passed,
    failed: o.results.length - passed,
    bailed: o.finished.bailed,
    cancelled: o.finished.cancelled,
    stats: o.finished.stats,
    throughput: o.finished.throughput,
    requests: o.requests,
    results: o.results,
  }
  if (o.env !== undefined) out.env = o.env
  if (o.warnings !== undefined && o.warnings.length > 0) out.warnings = o.warnings
  if (o.finished.internalError !== undefined) out.internalError = o.finished.internalError
  return out
}

/** The first reason a step failed, in one line. */
export function failureReason(r: StepResultSummary): string {
  if (r.error) return `${r.error.code}: ${r.error.message}`
  const a = r.assertions.find((x) => !x.passed)
  return a ? a.message : 'failed'
}

/** Failures the table lists in detail (the count says how many there were in all). */
export const MAX_FAILURES_LISTED = 20

function pad(text: string, width: number, right = false): string {
  const n = [...text].length
  if (n >= width) return text
  return right ? ' '.repeat(width - n) + text : text + ' '.repeat(width - n)
}

/** The table for people: one row per request, pass/fail counts and latency percentiles, then failures. */
export function summaryText(o: RunOutcome): string {
  const f = o.finished
  const t = o.tallied
  const done = t ? t.done : o.results.length
  const lines: string[] = []
  const where = o.path === '' ? o.collection : `${o.collection} › ${o.path}`
  lines.push(
    `${where}${o.env ? ` (env ${o.env})` : ''}: ${done} of ${o.total} step runs in ${formatMs(f.durationMs)}`,
  )
  lines.push(...(t ? soleTraceLine(t.soleTraceId, done) : runTraceLines(o.results)))
  for (const w of o.warnings ?? []) lines.push(`warning: ${w}`)
  lines.push('')
  const nameWidth = Math.min(60, Math.max(7, ...o.requests.map((r) => [...r.path].length)))
  const head = [
    pad('Request', nameWidth),
    pad('Passed', 7, true),
    pad('Failed', 7, true),
    pad('p50', 9, true),
    pad('p90', 9, true),
    pad('p99', 9, true),
    pad('max', 9, true),
  ].join(' ')
  lines.push(`  ${head}`)
  for (const r of o.requests) {
    const ran = r.passed + r.failed > 0
    // Only runs that got a response have a latency: a request never sent or never answered has none to show.
    const timed = (r.responses ?? r.passed + r.failed) > 0
    const ms = (x: number): string => pad(timed ? formatMs(x) : '—', 9, true)
    const mark = r.failed > 0 ? '✗' : ran ? '✓' : '·'
    lines.push(
      `${mark} ${[pad(r.path, nameWidth), pad(String(r.passed), 7, true), pad(String(r.failed), 7, true), ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max)].join(' ')}`,
    )
  }
  lines.push(...jobLines(o))
  const failures = o.results.filter((r) => !r.passed)
  const failed = t ? t.failed : failures.length
  if (failed > 0) {
    lines.push('')
    lines.push(
      `Failures${failed > MAX_FAILURES_LISTED ? ` (first ${MAX_FAILURES_LISTED} of ${failed})` : ''}:`,
    )
    for (const r of failures.slice(0, MAX_FAILURES_LISTED))
      lines.push(
        `  ✗ ${r.path} #${r.iteration + 1}: ${failureReason(r)}${r.traceId ? ` (trace ${r.traceId})` : ''}`,
      )
  }
  const s = f.stats
  lines.push('')
  // A run stopped by an internal error has no statistics of its own: count what the table above counted, and
  // leave out the latency that was never summed rather than print zeros.
  const statsLost = f.internalError !== undefined && s.passed + s.failed === 0
  const passed = statsLost ? o.requests.reduce((n, r) => n + r.passed, 0) : s.passed
  const failedSteps = statsLost ? o.requests.reduce((n, r) => n + r.failed, 0) : s.failed
  // Latency and rate are of the responses alone: requests never sent (a refused port, an unknown variable) or
  // never answered end in a few ms or at their timeout, and counted they read as a fast or a slow server.
  const responses = statsLost
    ? o.requests.reduce((n, r) => n + (r.responses ?? r.passed + r.failed), 0)
    : (s.responses ?? done)
  const unanswered = passed + failedSteps - responses
  const rps = f.durationMs > 0 ? (responses / f.durationMs) * 1000 : 0
  lines.push(
    `${passed} passed, ${failedSteps} failed${o.total > done ? `, ${o.total - done} not run` : ''}` +
      (unanswered > 0
        ? ` · ${unanswered} got no response (not sent or not answered: left out of the latency and rate)`
        : '') +
      (statsLost || responses === 0
        ? ''
        : ` · p50 ${formatMs(s.p50)} · p90 ${formatMs(s.p90)} · p99 ${formatMs(s.p99)} · max ${formatMs(s.max)}`) +
      ` · ${rps.toFixed(1)} req/s`,
  )
  lines.push(...resentLines(o))
  lines.push(...serverTimingLines(s))
  if (f.directed && done !== o.total)
    lines.push(
      `setNextRequest chose the order: ${done} step ${done === 1 ? 'run' : 'runs'} where ${o.total} were planned.`,
    )
  if (f.internalError !== undefined) lines.push(`The run stopped on an internal error: ${f.internalError}`)
  if (f.cancelled) lines.push('The run was cancelled.')
  else if (f.bailed) lines.push('Stopped after the first failure (--bail).')
  return `${lines.join('\n')}\n`
}

/** Request files the line on requests sent a second time names; it counts the rest. */
const MAX_RESENT_FILES_NAMED = 5

/**
 * The requests that went a second time, in one line however many there were (a long run
 * against a server that closes idle connections has one every few hundred): each was safe to send again, and
 * passed or failed on its second send, but the server cut connections off under the run.
 */
function resentLines(o: RunOutcome): string[] {
  let tallies: readonly ResentTally[] | undefined = o.tallied?.resent
  if (!o.tallied) {
    const byPath = new Map<string, ResentTally>()
    for (const r of o.results) addResent(byPath, r)
    tallies = [...byPath.values()]
  }
  if (!tallies || tallies.length === 0) return []
  const total = tallies.reduce((n, t) => n + t.requests, 0)
  const most = [...tallies].sort((a, b) => b.requests - a.requests)
  const named = most.slice(0, MAX_RESENT_FILES_NAMED).map((t) => `${t.path} ${t.requests}`)
  const more = most.length - named.length
  return [
    `${total} ${total === 1 ? 'request was' : 'requests were'} sent a second time, the server having closed or ` +
      `refused the first before any response: ${named.join(', ')}${more > 0 ? `, ${more} more files` : ''}`,
  ]
}

/** One trace for the whole run (`per-run`): its id once, to look the run up in the tracing backend. */
function runTraceLines(results: readonly StepResultSummary[]): string[] {
  const ids = new Set(results.map((r) => r.traceId))
  const [only] = ids
  return soleTraceLine(ids.size === 1 ? only : undefined, results.length)
}

function soleTraceLine(id: string | undefined, done: number): string[] {
  return id !== undefined && done > 1 ? [`trace ${id} (the whole run)`] : []
}

/** The job a step followed (or long-polled), in a line: how it ended, its polls and its time. */
export function jobLine(r: StepResultSummary): string | null {
  const j = r.job
  if (!j) return null
  const what = j.mode === 'follow' ? 'job' : 'long poll'
  const polls = `${j.polls} ${j.mode === 'follow' ? 'poll' : 'repeat'}${j.polls === 1 ? '' : 's'}`
  return `${what} ${j.outcome.replace('_', ' ')} · ${polls} · ${formatMs(j.durationMs)}`
}

/**
 * For requests that follow a job or long-poll: how their jobs ended, their poll counts and times (one run: its
 * own; several: the range), so a slow or chatty job shows even when it passed.
 */
function jobLines(o: RunOutcome): string[] {
  let tallies = o.tallied?.jobs
  if (!tallies) {
    const byPath = new Map<string, JobTally>()
    for (const r of o.results) addJob(byPath, r)
    tallies = [...byPath.values()]
  }
  if (tallies.length === 0) return []
  const width = Math.min(60, Math.max(...tallies.map((t) => [...t.path].length)))
  const lines = ['', 'Jobs:']
  for (const t of tallies) {
    const mode = t.mode === 'follow' ? 'poll' : 'repeat'
    const { lo, hi } = t.polls
    const count = `${lo === hi ? lo : `${lo}–${hi}`} ${mode}${hi === 1 ? '' : 's'}`
    const time = t.runs === 1 ? formatMs(t.ms.lo) : `${formatMs(t.ms.lo)}–${formatMs(t.ms.hi)}`
    lines.push(`${t.failed ? '✗' : '✓'} ${pad(t.path, width)}  ${t.outcomes.join(', ')} · ${count} · ${time}`)
  }
  return lines
}

/** Per Server-Timing name, the same percentiles as the client's latency, so a slow p99 shows where it went. */
function serverTimingLines(s: RunFinished['stats']): string[] {
  const rows = s.serverTiming ?? []
  if (rows.length === 0) return []
  const width = Math.min(24, Math.max(6, ...rows.map((r) => [...r.name].length)))
  const cell = (ms: number): string => formatMs(ms).padStart(10)
  const lines = [
    '',
    `Server-Timing (as the servers say, beside the client's latency):`,
    `  ${pad('', width)}  ${'p50'.padStart(10)}${'p90'.padStart(10)}${'p99'.padStart(10)}${'max'.padStart(10)}  responses`,
    `  ${pad('client', width)}  ${cell(s.p50)}${cell(s.p90)}${cell(s.p99)}${cell(s.max)}  ${s.responses ?? s.total}`,
  ]
  for (const r of rows)
    lines.push(
      `  ${pad(r.name, width)}  ${cell(r.p50)}${cell(r.p90)}${cell(r.p99)}${cell(r.max)}  ${r.count}`,
    )
  if (s.serverTimingNote !== undefined) lines.push(`  ${s.serverTimingNote}`)
  return lines
}
