import type { StepResult } from './run-step'

/**
 * A run's Cancel ends what its steps wait for, and each ends in the words of what was cut short: an OAuth 2.0
 * sign-in's `auth` ("the sign-in was cancelled"), a request's `cancelled`, a stream's own. The step failed because
 * the person cancelled, so its error's code is `cancelled` (its message kept), and the report and JUnit say
 * cancelled, not an auth failure. A step that failed before the Cancel keeps its own code. A cancelled step still
 * failed: it never passes, and a cancelled run exits non-zero.
 */
export function cancelledSteps(signal: AbortSignal | undefined): (r: StepResult) => void {
  // Wall-clock ms of the Cancel, as a result's `endedAt` is: -Infinity when the run began cancelled.
  let at = signal?.aborted ? -Infinity : Infinity
  signal?.addEventListener('abort', () => (at = Date.now()), { once: true })
  return (r) => {
    if (r.error && r.error.code !== 'cancelled' && r.endedAt >= at)
      r.error = { ...r.error, code: 'cancelled' }
  }
}
