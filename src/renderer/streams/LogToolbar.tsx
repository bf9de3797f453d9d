import { useEffect, useState } from 'react'
import { formatBytes } from '../../shared/format'
import { topicFilterProblem } from '../../shared/mqtt-topic-filter'
import type { StreamFilter } from '../../shared/streams'
import type { StreamMessageKind } from '../../shared/timeline'
import { useAppStore } from '../store/store-context'
import { groupDigits } from '../../shared/group-digits'

const SEARCH_DEBOUNCE_MS = 250

const KIND_CHOICES: { label: string; kinds: StreamMessageKind[] }[] = [
  { label: 'All types', kinds: [] },
  { label: 'Events', kinds: ['event'] },
  { label: 'Text', kinds: ['text', 'line', 'chunk'] },
  { label: 'Binary', kinds: ['binary'] },
  { label: 'Ping / pong', kinds: ['ping', 'pong'] },
  { label: 'Close', kinds: ['close'] },
  { label: 'Comments', kinds: ['comment'] },
  { label: 'Malformed', kinds: ['invalid'] },
]

/**
 * The message log's toolbar: search, the MQTT topic filter, direction and type, the count of messages (or
 * matches) and bytes, and follow / jump to latest.
 */
export function LogToolbar({
  sid,
  total,
  all,
  filtered,
  follow,
  complete,
  scanned,
}: {
  sid: string
  total: number
  /** Entries in the log, whatever the filter. */
  all: number
  filtered: boolean
  follow: boolean
  complete: boolean
  /** How many of the log's entries, from its start, a filtered search has looked at (null: not said). */
  scanned: number | null
}) {
  const mqtt = useAppStore((s) => s.timeline.rows[sid]?.queued.kind === 'mqtt')
  const filter = useAppStore((s) => s.logView?.filter)
  const setFilter = useAppStore((s) => s.setLogFilter)
  const setFollow = useAppStore((s) => s.setLogFollow)
  const lane = useAppStore((s) => s.streamLanes[sid])
  const [text, setText] = useState(filter?.text ?? '')

  useEffect(() => {
    const timer = setTimeout(() => {
      if ((filter?.text ?? '') !== text) setFilter({ ...filter, text })
    }, SEARCH_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [text, filter, setFilter])

  const kindsKey = (filter?.kinds ?? []).join(',')
  const patch = (p: Partial<StreamFilter>): void => setFilter({ ...filter, ...p })

  return (
    <div className="stream-log-toolbar">
      <input
        className="stream-search mono"
        type="search"
        placeholder="Search"
        aria-label="Search messages"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      {mqtt ? <TopicFilterField /> : null}
      <select
        aria-label="Direction"
        value={filter?.dir ?? ''}
        onChange={(e) => {
          const v = e.target.value
          patch({ dir: v === 'in' || v === 'out' ? v : undefined })
        }}
      >
        <option value="">Both ways</option>
        <option value="in">Received</option>
        <option value="out">Sent</option>
      </select>
      <select
        aria-label="Message type"
        value={kindsKey}
        onChange={(e) =>
          patch({ kinds: KIND_CHOICES.find((k) => k.kinds.join(',') === e.target.value)?.kinds ?? [] })
        }
      >
        {KIND_CHOICES.map((k) => (
          <option key={k.label} value={k.kinds.join(',')}>
            {k.label}
          </option>
        ))}
      </select>
      <span className="stream-count muted num" aria-live="polite">
        {filtered
          ? matchCount(total, all, complete, scanned)
          : `${groupDigits(total)} message${total === 1 ? '' : 's'}`}
        {lane ? ` · ↓ ${formatBytes(lane.bytesIn)} · ↑ ${formatBytes(lane.bytesOut)}` : ''}
      </span>
      <span className="grow" />
      {follow ? (
        <button
          type="button"
          className="secondary-button"
          onClick={() => setFollow(false)}
          title="Stop following new messages"
        >
          Pause auto-scroll
        </button>
      ) : (
        <button type="button" className="secondary-button" onClick={() => setFollow(true)}>
          Jump to latest
        </button>
      )}
    </div>
  )
}

/**
 * The count of a filtered log: "12 matches of 3,000", and while the search has not reached the log's end, how far
 * it looked ("12 matches in the first 1,200 of 3,000…"), so a short count is not read as the whole answer.
 */
function matchCount(total: number, all: number, complete: boolean, scanned: number | null): string {
  const matches = `${groupDigits(total)} match${total === 1 ? '' : 'es'}`
  if (complete) return `${matches} of ${groupDigits(all)}`
  if (scanned === null) return `${matches}… of ${groupDigits(all)}`
  return `${matches} in the first ${groupDigits(scanned)} of ${groupDigits(Math.max(all, scanned))}…`
}

/**
 * An MQTT session's topic filter (`sensors/+/temp`, `sensors/#`): matched by the engine over the whole log, as
 * the search is. What is not a topic filter is said at once, in words, and not applied.
 */
function TopicFilterField() {
  const filter = useAppStore((s) => s.logView?.filter)
  const setFilter = useAppStore((s) => s.setLogFilter)
  const [text, setText] = useState(filter?.topic ?? '')
  const problem = text === '' ? null : topicFilterProblem(text)

  useEffect(() => {
    if (problem !== null) return
    const timer = setTimeout(() => {
      if ((filter?.topic ?? '') !== text) setFilter({ ...filter, topic: text })
    }, SEARCH_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [text, problem, filter, setFilter])

  return (
    <>
      <input
        className={`stream-search stream-topic mono${problem ? ' invalid' : ''}`}
        type="search"
        placeholder="Topic a/+/#"
        aria-label="Topic filter"
        aria-invalid={problem !== null}
        title="MQTT topic filter: + is one level, # every level below (a/+/c, a/#)"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      {problem ? (
        <span className="field-error" role="alert">
          {problem}
        </span>
      ) : null}
    </>
  )
}
