import { oauthCliOptions } from './oauth-args'
import { join, resolve } from 'node:path'
import { writeFileAtomic } from '../engine/collections/atomic-write'
import { stat } from '../engine/collections/callback-fs'
import { folderBlocker } from '../engine/files/folder-blocker'
import { makeFolder } from '../engine/files/make-folder'
import { readCaPemText } from '../engine/files/pem-file'
import { createEngineService, type EngineService } from '../engine/service'
import { summarize } from '../engine/runner/run-summary'
import type { StepResult } from '../engine/runner/run-step'
import { MAX_EXPORT_BODIES_TOTAL } from '../shared/body-view'
import { formatMs } from '../shared/format'
import type { RunProgressEvent, StepResultSummary } from '../shared/run-schemas'
import { USER_ERROR_CODES } from './collection-send'
import { useSessionVariables } from './env-var-args'
import { withoutSecrets } from './report-secrets'
import { sizeLimit } from './byte-words'
import { parseRunArgs, RUN_USAGE, type RunCommand } from './run-args'
import { nestedCollectionLines } from './nested-collections'
import { onInterrupt } from './interrupt'
import { junitXml } from './run-junit'
import { jsonReport, summaryText, type RunOutcome } from './run-report'

/**
 * `flightdeck run`: the same `run.start` the app uses, then reports. A progress bar on stderr when it is a
 * terminal; Ctrl+C or SIGTERM cancels the run (requests in flight end as cancelled) and still writes the reports.
 * Exit codes: 0 every step passed, 1 a step failed, 2 bad input, 130 / 143 cancelled by SIGINT / SIGTERM.
 */

export interface RunIo {
  out(text: string): void
  err(text: string): void
  /** Draw a progress bar on stderr (only when stderr is a terminal). */
  tty?: boolean
  /** The bar's own CR and erase-line, written as they are (`err` shows control characters as escapes). */
  errControl?(sequence: string): void
  /** Called once the run has started (its collection opened and planned), not for help or refused input. */
  started?(): void
}

const BAR_WIDTH = 24

export async function runRunCli(argv: readonly string[], io: RunIo): Promise<number> {
  const cmd = parseRunArgs(argv)
  if (cmd.kind === 'help') {
    io.out(`${RUN_USAGE}\n`)
    return 0
  }
  if (cmd.kind === 'error') {
    io.err(`flightdeck: ${cmd.message}\n`)
    return 2
  }
  const dir = resolve(cmd.dir)
  const ca = caFileError(cmd.caFile)
  if (ca !== null) {
    io.err(`flightdeck: ${ca}\n`)
    return 2
  }
  try {
    if (!(await stat(dir)).isDirectory()) {
      io.err(`flightdeck: ${cmd.dir} is not a folder\n`)
      return 2
    }
  } catch {
    io.err(`flightdeck: no collection folder at ${cmd.dir}\n`)
    return 2
  }
  const service = createEngineService({
    host: 'cli',
    watchCollections: false,
    persistWorkspace: false,
    // A run reads no HTTP timeline rows (its results are run events; a stream step reads its own stream's).
    httpTimeline: false,
    // Nor does it keep each request's record, which only its HAR report reads.
    ...(cmd.reporters.includes('har') ? {} : { httpRecords: false }),
    ...oauthCliOptions(io.err, cmd.oauthTimeoutMs),
    // The table alone needs counts, percentiles and the first failures, not every result: a long run of it
    // keeps memory bounded by its input, not its iterations.
    ...(tableOnly(cmd) ? { runResults: 'failures' as const } : {}),
  })
  try {
    return await run(service, { ...cmd, dir }, io)
  } finally {
    await service.dispose()
  }
}

async function run(service: EngineService, cmd: RunCommand, io: RunIo): Promise<number> {
  const allowed = await service.allowFilesForSession(cmd.allowFiles.map((d) => resolve(d)))
  if (!allowed.ok) {
    io.err(`flightdeck: --allow-files: ${allowed.error.message}\n`)
    return 2
  }
  const given = { values: cmd.envVars, globals: cmd.globalVars }
  await useSessionVariables(
    service,
    given,
    cmd.allowEmptySecrets,
    io.err,
    io.tty === true ? () => controlOf(io)(CLEAR_LINE) : undefined,
  )
  const bar = io.tty === true ? new ProgressBar(io) : null
  let runId = ''
  // Every result's summary, as the run made it for its progress events (each result in exactly one), so the
  // reports do not summarize every result a second time. Kept per run id: the first event may come before
  // run.start has answered. Only the table asked for: the engine counts the results (runResults: 'failures') and
  // its events carry counts alone.
  const summaries = new Map<string, StepResultSummary[]>()
  const off = service.onEvent((event) => {
    if (event.name !== 'run.progress') return
    const p = event.payload
    if (p.results.length > 0) {
      let list = summaries.get(p.runId)
      if (!list) summaries.set(p.runId, (list = []))
      for (const r of p.results) list.push(r)
    }
    if (p.runId === runId) bar?.draw(p)
  })
  // run.start opens the collection itself (an error opening it is the same words, exit 2): a plan that opened it
  // takes what the open just read, without looking at every file a second time.
  const started = await service.invoke('run.start', {
    dir: cmd.dir,
    path: cmd.path,
    concurrency: cmd.concurrency,
    iterations: cmd.iterations,
    ...(cmd.env !== undefined ? { env: cmd.env } : {}),
    ...(cmd.delayMs !== undefined ? { delayMs: cmd.delayMs } : {}),
    ...(cmd.ratePerSecond !== undefined ? { ratePerSecond: cmd.ratePerSecond } : {}),
    ...(cmd.data !== undefined ? { dataFile: resolve(cmd.data) } : {}),
    ...(cmd.bail ? { bail: true } : {}),
    ...(cmd.allowUntranslatedScripts ? { allowUntranslatedScripts: true } : {}),
    ...(cmd.noScripts ? { scripts: false } : {}),
    ...(cmd.webhookPort !== undefined ? { webhookPort: cmd.webhookPort } : {}),
    ...(cmd.trace !== undefined ? { trace: cmd.trace } : {}),
    ...(cmd.insecure ? { insecure: true } : {}),
    ...(cmd.caFile !== undefined ? { caFile: resolve(cmd.caFile) } : {}),
  })
  if (!started.ok) {
    off()
    io.err(`flightdeck: ${started.error.message}\n`)
    if (started.error.code === 'invalid_request' || started.error.code === 'not_found') {
      const opened = await service.invoke('collection.open', { dir: cmd.dir })
      if (opened.ok)
        for (const line of nestedCollectionLines(cmd.dir, cmd.path, opened.value.problems))
          io.err(`flightdeck: ${line}\n`)
    }
    return USER_ERROR_CODES.has(started.error.code) ? 2 : 1
  }
  runId = started.value.runId
  io.started?.()
  // On stderr, so a json report on stdout stays pipeable.
  const hooks = started.value.webhookInbox
  if (hooks) io.err(`webhook inbox ${hooks.startedForRun ? 'listening' : 'in use'} at ${hooks.url}\n`)
  // Ctrl+C, and the SIGTERM a CI runner sends a job it cancels or times out: both cancel the run, which still
  // writes its reports and exits 130 / 143 (a second signal ends the process at once).
  // A step waiting for an OAuth 2.0 sign-in (up to --oauth-timeout) is let go of too: its wait ends at once.
  const interrupt = onInterrupt(() => {
    void service.invoke('run.cancel', { runId })
    void service.invoke('oauth2.cancelSignIn', { all: true })
  })
  let report
  try {
    report = await service.waitForRun(runId)
  } finally {
    interrupt.off()
    off()
    bar?.clear()
  }
  const made = await reportRun(service, cmd, io, {
    runId,
    total: started.value.total,
    report,
    summaries: summaries.get(runId),
  })
  return interrupt.exitCode(made)
}

async function reportRun(
  service: EngineService,
  cmd: RunCommand,
  io: RunIo,
  run: {
    runId: string
    total: number
    report: Awaited<ReturnType<EngineService['waitForRun']>>
    /** The summaries its progress events carried. */
    summaries: StepResultSummary[] | undefined
  },
): Promise<number> {
  const { runId, total, report } = run
  // Open already (the run's plan opened it): this answers from what it loaded. Asked only now, so nothing is
  // awaited between the run's start and the Ctrl+C handler.
  const opened = await service.invoke('collection.open', { dir: cmd.dir })
  if (!opened.ok) {
    io.err(`flightdeck: internal: ${opened.error.message}\n`)
    return 1
  }
  const collection = opened.value
  const snap = service.runSnapshot(runId)
  if (!report || !snap.ok || !snap.value.finished) {
    io.err('flightdeck: internal: the run ended without a report\n')
    return 1
  }
  const steps = service.runSteps(runId)
  const tallied = tableOnly(cmd)
    ? (report.counted ?? { done: 0, failed: 0, failures: [], jobs: [] })
    : undefined
  const outcome: RunOutcome = {
    collection: collection.name,
    dir: collection.dir,
    path: cmd.path,
    startedAt: snap.value.startedAt,
    total: total,
    iterations: steps.length > 0 ? Math.round(total / steps.length) : 0,
    steps: steps.map((s) => ({ id: s.id, name: s.name, path: s.path ?? s.id })),
    requests: snap.value.requests,
    results: tallied
      ? tallied.failures
      : resultSummaries(run.summaries, report.results, snap.value.finished.internalError !== undefined),
    finished: snap.value.finished,
  }
  if (tallied) outcome.tallied = tallied
  if (cmd.env !== undefined) outcome.env = cmd.env
  if (snap.value.warnings) outcome.warnings = snap.value.warnings
  // Secret values (stored here or given with --env-var) stay out of every report unless --include-secrets.
  const shown = cmd.includeSecrets ? outcome : withoutSecrets(outcome, service.collections.revealedSecrets())

  // Without --out, json is the only thing on stdout, so it can be piped; the table moves to stderr.
  const jsonToStdout = cmd.out === null && cmd.reporters.includes('json')
  const outDir = cmd.out === null ? process.cwd() : resolve(cmd.out)
  if (cmd.reporters.includes('cli')) (jsonToStdout ? io.err : io.out)(summaryText(shown))
  if (jsonToStdout) io.out(`${JSON.stringify(jsonReport(shown), null, 2)}\n`)

  const files: [string, () => Promise<string>][] = []
  if (cmd.reporters.includes('json') && !jsonToStdout)
    files.push(['run.json', async () => `${JSON.stringify(jsonReport(shown), null, 2)}\n`])
  if (cmd.reporters.includes('junit')) files.push(['junit.xml', async () => junitXml(shown)])
  if (cmd.reporters.includes('har'))
    files.push([
      'run.har',
      async () => {
        // Stream steps have no HTTP exchange to record; every attempt of every HTTP step goes in, and a job's
        // polls (or a long poll's repeats) after it.
        const httpSteps = new Set(steps.filter((s) => (s.kind ?? 'http') === 'http').map((s) => s.id))
        const sids = report.results
          .filter((r) => httpSteps.has(r.stepId))
          .flatMap((r) => (r.job ? [...r.sids, ...r.job.pollSids] : r.sids))
        const har = await service.invoke('har.export', {
          sids: sids.slice(0, 100_000),
          maxBodyBytes: 1024 * 1024,
          ...(cmd.includeSecrets ? { includeSecrets: true } : {}),
        })
        if (!har.ok) throw new Error(har.error.message)
        const left = har.value.bodiesLeftOut ?? 0
        if (left > 0)
          io.err(
            `flightdeck: run.har: ${left} response bodies left out (a HAR holds at most ${sizeLimit(MAX_EXPORT_BODIES_TOTAL)} of bodies)\n`,
          )
        if (har.value.missing.length > 0)
          io.err(
            `flightdeck: run.har: ${har.value.missing.length} exchange(s) were no longer in the engine's memory and are left out\n`,
          )
        return har.value.har
      },
    ])
  if (files.length > 0) {
    try {
      await makeFolder(outDir)
    } catch (e) {
      // A file where the folder should be is named (mkdir says only EEXIST or ENOTDIR) and left as it is.
      const blocker = await folderBlocker(outDir)
      const why = blocker
        ? `${blocker.path} ${blocker.what}; it was left as it is: choose another --out folder or move it`
        : e instanceof Error
          ? e.message
          : String(e)
      io.err(`flightdeck: cannot write reports to ${outDir}: ${why}\n`)
      return 2
    }
    // Each report on its own: one that cannot be written (its path is a folder) does not cost the others.
    // Written atomically, so a link planted at a report's path is replaced, never followed to overwrite the
    // file it points at, and a run killed mid-write leaves no half report.
    let unwritten = 0
    for (const [name, make] of files) {
      const path = join(outDir, name)
      try {
        await writeFileAtomic(path, await make())
        io.err(`wrote ${path}\n`)
      } catch (e) {
        unwritten++
        io.err(`flightdeck: cannot write ${path}: ${e instanceof Error ? e.message : String(e)}\n`)
      }
    }
    if (unwritten > 0) return 2
  }
  // Every planned step ran and passed; or scripts chose the order (setNextRequest), as newman runs it, and what
  // ran passed.
  const done = tallied ? tallied.done : outcome.results.length
  const allPassed =
    !outcome.finished.cancelled &&
    outcome.finished.internalError === undefined &&
    (done === outcome.total || outcome.finished.directed === true) &&
    (tallied ? tallied.failed === 0 : outcome.results.every((r) => r.passed))
  return allPassed ? 0 : 1
}

/**
 * `--cacert`'s file read once before the run, so one that cannot be a CA bundle (missing, a device, a pipe, too
 * big) stops it before any request with the caFile's words, instead of failing every step with them.
 */
function caFileError(caFile: string | undefined): string | null {
  if (caFile === undefined) return null
  try {
    readCaPemText(caFile)
    return null
  } catch (e) {
    return `Cannot read the CA file ${caFile}: ${e instanceof Error ? e.message : String(e)}`
  }
}

/** No json, junit or har report asked for: those need every result; the table does not. */
function tableOnly(cmd: RunCommand): boolean {
  return !cmd.reporters.some((r) => r === 'json' || r === 'junit' || r === 'har')
}

/** The summaries the progress events carried, when they are all there (they are); else made now. */
function resultSummaries(
  sent: StepResultSummary[] | undefined,
  results: readonly StepResult[],
  stoppedOnError: boolean,
): StepResultSummary[] {
  // A run stopped on an internal error hands back no results: the progress events carried the ones it had.
  if (stoppedOnError) return sent ?? []
  if (sent?.length === results.length && sent.every((s, i) => s.stepId === results[i]?.stepId)) return sent
  return results.map(summarize)
}

/** One line on stderr, redrawn in place: `[######------] 120/300 40% · 3 failed · 1.2 s`. */
class ProgressBar {
  private readonly started = Date.now()
  private drawn = false
  constructor(private readonly io: RunIo) {}

  draw(p: RunProgressEvent): void {
    const share = p.total > 0 ? p.done / p.total : 1
    const full = Math.round(share * BAR_WIDTH)
    const failed = p.failed > 0 ? ` · ${p.failed} failed` : ''
    controlOf(this.io)(
      `${CLEAR_LINE}[${'#'.repeat(full)}${'-'.repeat(BAR_WIDTH - full)}] ${p.done}/${p.total} ${Math.floor(share * 100)}%${failed} · ${formatMs(Date.now() - this.started)}`,
    )
    this.drawn = true
  }

  clear(): void {
    if (this.drawn) controlOf(this.io)(CLEAR_LINE)
  }
}

/** Back to the line's start and erase it: the bar is redrawn in place. */
const CLEAR_LINE = '\r\x1b[K'

/** Where the bar's own control sequences go: as they are when the io can, else as text. */
function controlOf(io: RunIo): (sequence: string) => void {
  return io.errControl ? (sequence) => io.errControl?.(sequence) : (text) => io.err(text)
}
