import { VisibleLine } from '../app/VisibleControls'
import { groupDigits } from '../../shared/group-digits'
import { useAppStore } from '../store/store-context'

/** Where the toolbar's run button is, for the focus to go to when the runner steps aside. */
export const RUNNER_RETURN_CLASS = 'runner-return'
/** The runner's accessible name (the window's Esc finds it to give it the focus back). */
export const RUNNER_LABEL = 'Runner'

/**
 * In the toolbar while the runner is out of sight (closed, Esc, or a result row opened its exchange) and a run is
 * going or has results: the run's state at a glance, and one click back to it. Closing the runner never stops a
 * run.
 */
export function RunnerReturn() {
  const open = useAppStore((s) => s.runnerOpen)
  const run = useAppStore((s) => s.run)
  const label = useAppStore((s) => s.runConfig?.label ?? '')
  const reopen = useAppStore((s) => s.reopenRunner)
  if (open || run === null) return null
  const f = run.finished
  const state = f ? (f.cancelled ? 'cancelled' : f.bailed ? 'stopped' : 'finished') : 'running'
  const failed = run.failed > 0 ? `, ${groupDigits(run.failed)} failed` : ''
  return (
    <button
      type="button"
      className={`secondary-button ${RUNNER_RETURN_CLASS}${f ? '' : ' running'}`}
      onClick={reopen}
      title="Back to the runner (its results stay until the next run)"
      data-testid="runner-return"
    >
      Run <VisibleLine text={label} />: {state} {groupDigits(run.done)}/{groupDigits(run.total)}
      {failed}
    </button>
  )
}

/** After the runner steps aside, the focus goes to the button that brings it back (not to the page's start). */
export function focusRunnerReturn(): void {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(`.${RUNNER_RETURN_CLASS}`)?.focus())
}
