import type { CommandService } from '../engine/service'
import { testLabel, type ScriptPhaseReport } from '../shared/scripts'

/**
 * What `flightdeck send` shows of a saved request's scripts: it listens for the request's `script` events
 * (pre before the request, post after its response), waits for the test script when one runs, and prints each
 * test and a stopped script. A failed test or a stopped script makes the send exit 1.
 */

/** Longest the CLI waits for a test script after the response (the sandbox's own wall limit is 30 s). */
const POST_WAIT_MS = 40_000

export interface ScriptWatch {
  /** The reports of `sid`, waiting for its test script when `testScript`. */
  reports(sid: string, testScript: boolean): Promise<ScriptPhaseReport[]>
  stop(): void
}

export function watchScripts(service: CommandService): ScriptWatch {
  const seen = new Map<string, ScriptPhaseReport[]>()
  const waiting = new Map<string, () => void>()
  const off = service.subscribe((batch) => {
    for (const e of batch.events) {
      if (e.type !== 'script') continue
      const list = seen.get(e.sid) ?? []
      list.push(e.report)
      seen.set(e.sid, list)
      if (e.report.phase === 'post') waiting.get(e.sid)?.()
    }
  })
  return {
    reports: async (sid, testScript) => {
      const has = (): boolean => (seen.get(sid) ?? []).some((r) => r.phase === 'post')
      if (testScript && !has())
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POST_WAIT_MS)
          waiting.set(sid, () => {
            clearTimeout(timer)
            resolve()
          })
        })
      waiting.delete(sid)
      return seen.get(sid) ?? []
    },
    stop: off,
  }
}

/** The lines a person reads: each test, then a stopped script; empty when no script ran. */
export function scriptLines(reports: readonly ScriptPhaseReport[]): string[] {
  const lines: string[] = []
  for (const r of reports) {
    const phase = r.phase === 'pre' ? 'pre-request' : 'test'
    for (const t of r.tests)
      lines.push(
        t.skipped
          ? `  - ${testLabel(t)} (skipped)`
          : t.passed
            ? `  ✓ ${testLabel(t)}`
            : `  ✗ ${testLabel(t)}: ${t.error ?? 'failed'}`,
      )
    if ((r.droppedTests ?? 0) > 0) lines.push(`  ${r.droppedTests ?? 0} more tests past the limit, not kept`)
    if (r.failure) lines.push(`  ${phase} script stopped: ${r.failure.message}`)
  }
  return lines.length > 0 ? ['Scripts:', ...lines] : []
}

/** Whether the scripts failed the send (a failed test or a stopped script). */
export function scriptsFailed(reports: readonly ScriptPhaseReport[]): boolean {
  return reports.some((r) => r.failure !== undefined || r.tests.some((t) => !t.passed && !t.skipped))
}
