import { formatMs } from '../../shared/format'
import { useAppStore } from '../store/store-context'
import { bidiVisible, VisibleControls } from '../app/VisibleControls'
import { jobStateText, statusText } from '../timeline/row-labels'
import { durationMs, type SessionRow } from '../timeline/session-row'

/**
 * Above a request's details when it started a job (or is one of a job's polls): the job's state, its status
 * URL, the last answer and every poll, each a click away.
 */
export function JobPanel({ row }: { row: SessionRow }) {
  const owner = useAppStore((s) => (row.laneOf === undefined ? row : s.timeline.rows[row.laneOf]))
  // The timeline, not its `rows`: the store writes a batch's rows into the same container (apply-batch.ts).
  const rows = useAppStore((s) => s.timeline).rows
  const select = useAppStore((s) => s.select)
  const cancel = useAppStore((s) => s.cancel)
  if (!owner) return null
  const job = owner.job
  if (!job && row.laneOf === undefined) return null
  const members = owner.members ?? []
  const title = job?.mode === 'long-poll' ? 'Long poll' : 'Job'
  return (
    <div className="job-panel" aria-label={title}>
      <h4>
        {title}
        {job ? (
          <span className={`job-badge job-${job.state}`} style={{ marginLeft: 8 }}>
            {jobStateText(job.state)}
          </span>
        ) : null}
        {job?.state === 'running' ? (
          <button
            type="button"
            className="link-button"
            style={{ marginLeft: 8, textTransform: 'none' }}
            onClick={() => void cancel(owner.sid)}
          >
            Stop
          </button>
        ) : null}
      </h4>
      <dl>
        {job ? (
          <>
            <dt>{job.state === 'running' ? 'Now' : 'Outcome'}</dt>
            <dd data-testid="job-message">{job.message}</dd>
          </>
        ) : null}
        {job?.statusUrl ? (
          <>
            <dt>Status URL</dt>
            <dd className="mono">{job.statusUrl}</dd>
          </>
        ) : null}
        {job?.lastStatus !== undefined ? (
          <>
            <dt>Last answer</dt>
            <dd className="mono">
              {job.lastStatus}
              {job.lastValue !== undefined ? ` · ${job.lastValue}` : ''}
            </dd>
          </>
        ) : null}
        {job && job.state !== 'running' ? (
          <>
            <dt>Took</dt>
            <dd className="num">{formatMs(job.t - owner.queued.t)}</dd>
          </>
        ) : null}
        {row.laneOf !== undefined ? (
          <>
            <dt>Started by</dt>
            <dd>
              <button type="button" className="link-button" onClick={() => select(owner.sid)}>
                {owner.queued.method} <VisibleControls text={owner.queued.url} />
              </button>
            </dd>
          </>
        ) : null}
      </dl>
      {members.length > 0 ? (
        <div className="job-polls" role="list" aria-label={job?.mode === 'long-poll' ? 'Repeats' : 'Polls'}>
          {members.map((sid, i) => {
            const m = rows[sid]
            if (!m) return null
            const ms = durationMs(m)
            return (
              <button
                key={sid}
                type="button"
                role="listitem"
                aria-current={sid === row.sid}
                title={bidiVisible(m.queued.url)}
                onClick={() => select(sid)}
              >
                #{i + 1} {statusText(m) || '…'}
                {ms === null ? '' : ` · ${formatMs(ms)}`}
              </button>
            )
          })}
        </div>
      ) : null}
    </div>
  )
}
