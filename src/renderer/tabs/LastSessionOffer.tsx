import { formatBytes } from '../../shared/format'
import { useAppStore } from '../store/store-context'
import { dateTime } from '../../shared/clock-text'
import { groupDigits } from '../../shared/group-digits'

/**
 * After a restart with a fresh engine (nothing on the timeline), the timeline the engine kept when it last
 * stopped is offered back, read-only, so a window closed by mistake loses nothing. Shown once; Dismiss hides it.
 */
export function LastSessionOffer() {
  const last = useAppStore((s) => s.lastSession)
  const fresh = useAppStore((s) => s.replayedSessions === 0)
  const error = useAppStore((s) => s.lastSessionError)
  const open = useAppStore((s) => s.openLastSession)
  const dismiss = useAppStore((s) => s.dismissLastSession)
  if (!last || !fresh) return null
  const when = dateTime(last.savedAt)
  const bodies = last.bodyBytes > 0 ? `bodies up to ${formatBytes(last.bodyBytes)} each` : 'without bodies'
  const omitted = last.omitted > 0 ? `; ${groupDigits(last.omitted)} older left out` : ''
  return (
    <div className="last-session-offer" role="status">
      <span>
        Last session ({when}): {groupDigits(last.sessions)} request{last.sessions === 1 ? '' : 's'}, {bodies}
        {omitted}.
      </span>{' '}
      <button type="button" className="secondary-button" onClick={() => void open()}>
        Open last session&apos;s timeline
      </button>{' '}
      <button type="button" className="secondary-button" onClick={dismiss}>
        Dismiss
      </button>
      {error ? (
        <span className="last-session-error" role="alert">
          {' '}
          {error}
        </span>
      ) : null}
    </div>
  )
}
