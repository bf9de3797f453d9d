import { useAppStore } from '../store/store-context'
import { EnvironmentSwitcher } from '../environments/EnvironmentSwitcher'
import { WebhookControl } from '../async/WebhookControl'
import { TraceSwitch } from '../timeline/TraceLink'
import { RunnerReturn } from '../runner/RunnerReturn'
import { groupDigits } from '../../shared/group-digits'

/** Brand, what is going on, and Clear. */
export function Toolbar() {
  const total = useAppStore((s) => s.timeline.order.length)
  const inFlight = useAppStore((s) => s.timeline.inFlight)
  const jobs = useAppStore((s) => s.timeline.jobsRunning)
  const dropped = useAppStore((s) => s.timeline.dropped)
  const released = useAppStore((s) => s.timeline.released)
  const info = useAppStore((s) => s.info)
  const hostError = useAppStore((s) => s.hostError)
  const clearFinished = useAppStore((s) => s.clearFinished)

  return (
    <header className="toolbar">
      <span className="brand">Flightdeck</span>
      <EnvironmentSwitcher />
      <span className="toolbar-stats num" aria-live="polite">
        {total === 0 ? 'No requests' : `${groupDigits(total)} request${total === 1 ? '' : 's'}`}
        {inFlight > 0 ? <span className="in-flight"> · {groupDigits(inFlight)} in flight</span> : null}
        {jobs > 0 ? (
          <span className="in-flight">
            {' '}
            · {groupDigits(jobs)} job{jobs === 1 ? '' : 's'} polling
          </span>
        ) : null}
        {dropped > 0 ? (
          <span
            className="warn"
            title="Progress updates the engine dropped under load (lifecycle events are never dropped)"
          >
            {' '}
            · {groupDigits(dropped)} updates dropped
          </span>
        ) : null}
        {released > 0 ? (
          <span
            className="muted"
            title="The timeline keeps the newest 20,000 requests; older finished ones are let go (in-flight and pinned rows stay)"
          >
            {' '}
            · {groupDigits(released)} older released
          </span>
        ) : null}
      </span>
      <span className="spacer" />
      {hostError ? (
        <span className="host-error" role="alert" title={hostError.detail ?? hostError.code}>
          {hostError.message}
        </span>
      ) : info ? (
        <span className="muted small toolbar-host" title={`${info.host} · v${info.version}`}>
          {info.host} · v{info.version}
        </span>
      ) : null}
      <RunnerReturn />
      <TraceSwitch />
      <WebhookControl />
      <button
        type="button"
        className="secondary-button"
        onClick={clearFinished}
        disabled={total === inFlight}
        title="Remove finished requests from the timeline"
      >
        Clear
      </button>
    </header>
  )
}
