import { useEffect, useState } from 'react'
import { formatMs } from '../../shared/format'
import { useAppStore } from '../store/store-context'
import { ASSEMBLE_PRESETS, assembleStats, parseFieldPath } from './assemble'
import { DEFAULT_ASSEMBLE_PATH } from './assemble-slice'
import { groupDigits } from '../../shared/group-digits'

const PUMP_EVERY_MS = 100

/** The SSE assemble view: one field concatenated across events, with time to first token and rates. */
export function AssembleView({ sid, startT }: { sid: string; startT: number }) {
  const assembled = useAppStore((s) => (s.assembled?.sid === sid ? s.assembled : null))
  const lastSeq = useAppStore((s) => s.streamLanes[sid]?.lastSeq ?? -1)
  const setPath = useAppStore((s) => s.setAssemblePath)
  const pump = useAppStore((s) => s.pumpAssemble)
  const [draft, setDraft] = useState(assembled?.path ?? DEFAULT_ASSEMBLE_PATH)

  useEffect(() => {
    if (!assembled) setPath(sid, draft)
    // Only when this session has no assembly yet; edits apply on Enter / blur.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sid, assembled === null])

  useEffect(() => {
    const timer = setTimeout(() => void pump(), PUMP_EVERY_MS)
    return () => clearTimeout(timer)
  }, [lastSeq, pump])

  const valid = parseFieldPath(draft) !== null
  const stats = assembled ? assembleStats(assembled, startT) : null
  return (
    <div className="assemble">
      <form
        className="assemble-path"
        onSubmit={(e) => {
          e.preventDefault()
          if (valid) setPath(sid, draft)
        }}
      >
        <select
          className="field-input"
          aria-label="Assemble preset"
          value={ASSEMBLE_PRESETS.find((p) => p.path === draft)?.path ?? ''}
          onChange={(e) => {
            if (e.target.value === '') return
            setDraft(e.target.value)
            setPath(sid, e.target.value)
          }}
        >
          {ASSEMBLE_PRESETS.map((p) => (
            <option key={p.path} value={p.path}>
              {p.label}
            </option>
          ))}
          <option value="">Custom field…</option>
        </select>
        <label>
          Field
          <input
            className="mono"
            aria-label="Field to assemble"
            aria-invalid={!valid}
            value={draft}
            spellCheck={false}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => valid && setPath(sid, draft)}
          />
        </label>
        <button type="submit" className="secondary-button" disabled={!valid}>
          Assemble
        </button>
      </form>
      {stats && assembled ? (
        <dl className="facts assemble-stats">
          <div className="fact">
            <dt>Time to first token</dt>
            <dd className="num" data-testid="ttft">
              {stats.timeToFirstToken === null ? '—' : formatMs(stats.timeToFirstToken)}
            </dd>
          </div>
          <div className="fact">
            <dt>Tokens</dt>
            <dd className="num">
              {groupDigits(assembled.pieces)}
              {stats.tokensPerSecond === null ? '' : ` · ${stats.tokensPerSecond.toFixed(1)}/s`}
            </dd>
          </div>
          <div className="fact">
            <dt>Events</dt>
            <dd className="num">
              {groupDigits(assembled.events)}
              {stats.eventsPerSecond === null ? '' : ` · ${stats.eventsPerSecond.toFixed(1)}/s`}
            </dd>
          </div>
        </dl>
      ) : null}
      <pre className="assembled-text" aria-label="Assembled text">
        {assembled?.text ||
          (assembled && assembled.events > 0 ? `(no "${assembled.path}" in these events)` : '')}
      </pre>
      {assembled?.capped ? <p className="muted small">Stopped at 1 MB of text.</p> : null}
    </div>
  )
}
