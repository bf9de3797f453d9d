import { LabeledNumber } from '../app/NumberField'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import type { AfterMode, StatusSource } from './after-response'

const MODES: { id: AfterMode; label: string; hint: string }[] = [
  { id: 'none', label: 'Nothing', hint: 'A plain send' },
  {
    id: 'follow',
    label: 'Follow job',
    hint: 'Poll the status URL the response gives until the job is done; the polls sit on this request’s lane',
  },
  {
    id: 'long-poll',
    label: 'Long poll',
    hint: 'Send the request again as soon as it answers, each repeat on the same lane',
  },
]

/** The composer's "After response" tab: follow a job or long-poll, with their conditions and limits. */
export function AfterResponsePanel() {
  const d = useActiveDraft((draft) => draft.after)
  const set = useAppStore((s) => s.setAfterResponse)

  return (
    <div className="after-response">
      <div className="segmented small" role="radiogroup" aria-label="After response">
        {MODES.map((m) => (
          <button
            key={m.id}
            type="button"
            role="radio"
            aria-checked={d.mode === m.id}
            className={d.mode === m.id ? 'segment active' : 'segment'}
            title={m.hint}
            onClick={() => set({ mode: m.id })}
          >
            {m.label}
          </button>
        ))}
      </div>
      {d.mode === 'none' ? (
        <p className="muted small">
          Follow a 202 job to its end, or long-poll an endpoint. Put <code>{'{{$webhook}}'}</code> in a
          request to get a callback URL from the webhook inbox (toolbar).
        </p>
      ) : null}
      {d.mode === 'follow' ? (
        <div className="after-grid">
          <label>
            Status URL from
            <select
              aria-label="Status URL from"
              value={d.source}
              onChange={(e) => set({ source: e.target.value as StatusSource })}
            >
              <option value="location">Location header</option>
              <option value="operation-location">Operation-Location header</option>
              <option value="json">JSONPath in the body</option>
              <option value="request">The request’s own URL</option>
            </select>
          </label>
          {d.source === 'json' ? (
            <label>
              URL at
              <input
                className="mono"
                aria-label="Status URL JSONPath"
                value={d.sourcePath}
                onChange={(e) => set({ sourcePath: e.target.value })}
                placeholder="$.links.status"
              />
            </label>
          ) : (
            <span />
          )}
          <LabeledNumber
            label="Every (ms)"
            aria-label="Poll interval (ms)"
            min={10}
            max={3_600_000}
            step={100}
            value={d.intervalMs}
            onValue={(intervalMs) => set({ intervalMs })}
          />
          <label>
            Backoff
            <select
              aria-label="Backoff"
              value={d.backoff}
              onChange={(e) => set({ backoff: e.target.value as 'fixed' | 'exponential' })}
            >
              <option value="fixed">Fixed interval</option>
              <option value="exponential">Exponential (×2, Retry-After wins)</option>
            </select>
          </label>
          <Condition label="Done when" path={d.untilPath} value={d.untilEquals} which="until" />
          <label>
            or status
            <input
              className="mono"
              aria-label="Done on status"
              value={d.untilStatus}
              onChange={(e) => set({ untilStatus: e.target.value })}
              placeholder="e.g. 200, 303"
            />
          </label>
          <Condition label="Failed when" path={d.failPath} value={d.failEquals} which="fail" />
          <Limits />
        </div>
      ) : null}
      {d.mode === 'long-poll' ? (
        <div className="after-grid">
          <LabeledNumber
            label="Requests at most"
            min={1}
            max={100_000}
            value={d.repeats}
            onValue={(repeats) => set({ repeats })}
          />
          <LabeledNumber
            label="Deadline (s)"
            min={1}
            max={7 * 24 * 3600}
            value={d.deadlineS}
            onValue={(deadlineS) => set({ deadlineS })}
          />
          <Condition label="Stop when" path={d.untilPath} value={d.untilEquals} which="until" />
          <span className="muted small">Leave the path empty to repeat until the count or Esc.</span>
        </div>
      ) : null}
    </div>
  )
}

function Condition({
  label,
  path,
  value,
  which,
}: {
  label: string
  path: string
  value: string
  which: 'until' | 'fail'
}) {
  const set = useAppStore((s) => s.setAfterResponse)
  return (
    <label className="after-condition">
      {label}
      <input
        className="mono"
        aria-label={`${label} JSONPath`}
        value={path}
        placeholder="$.status"
        onChange={(e) =>
          set(which === 'until' ? { untilPath: e.target.value } : { failPath: e.target.value })
        }
      />
      <span className="muted">=</span>
      <input
        className="mono"
        aria-label={`${label} value`}
        value={value}
        placeholder="succeeded"
        onChange={(e) =>
          set(which === 'until' ? { untilEquals: e.target.value } : { failEquals: e.target.value })
        }
      />
    </label>
  )
}

function Limits() {
  const d = useActiveDraft((draft) => draft.after)
  const set = useAppStore((s) => s.setAfterResponse)
  return (
    <>
      <LabeledNumber
        label="Deadline (s)"
        min={1}
        max={24 * 3600}
        value={d.deadlineS}
        onValue={(deadlineS) => set({ deadlineS })}
      />
      <LabeledNumber
        label="Polls at most"
        min={1}
        max={10_000}
        value={d.maxPolls}
        onValue={(maxPolls) => set({ maxPolls })}
      />
    </>
  )
}
