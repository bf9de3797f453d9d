import { useState } from 'react'
import type { AppError } from '../../shared/result'
import { useAppStore } from '../store/store-context'
import { tabDisplayName } from '../tabs/request-tab'
import { savedEmits, savedPublishes } from './messaging-saved'
import { noSessionTabText, selectSessionTab } from './session-tab'

/**
 * The saved publishes (or emits) of the request session `sid` was opened from, whichever tab is shown: pick one
 * to fill the box, write the box back over it (Update) or save it as a new one, remove the one picked. They live
 * in the request's `mqtt:` / `socketio:` block, so Save writes them to its file; the composer's Saved tab
 * renames, edits and reorders them in place. When another tab is shown, the list names its request; when that
 * request is no longer open, a line says so instead of listing another request's items.
 */
export function SavedItemsBar({ what, sid }: { what: 'publish' | 'emit'; sid: string }) {
  const kind = what === 'publish' ? 'mqtt' : 'socketio'
  const tab = useAppStore((s) => selectSessionTab(s, sid, kind))
  const shown = useAppStore((s) => s.activeTabId === tab?.id)
  const save = useAppStore((s) => s.saveMessagingItem)
  const pick = useAppStore((s) => s.pickSavedItem)
  const remove = useAppStore((s) => s.removeSavedItem)
  const update = useAppStore((s) => s.updateSavedItem)
  const [picked, setPicked] = useState(-1)
  const [name, setName] = useState('')
  const [error, setError] = useState<AppError | null>(null)
  const items = what === 'publish' ? savedPublishes(tab?.extras) : savedEmits(tab?.extras)
  const label = what === 'publish' ? 'Saved publishes' : 'Saved emits'
  const none = useAppStore((s) => (tab ? '' : noSessionTabText(s, sid, kind, label.toLowerCase())))
  const hasPick = picked >= 0 && picked < items.length
  if (!tab)
    return (
      <div className="messaging-send-bar messaging-saved" role="group" aria-label={label}>
        <span className="muted small">{none}</span>
      </div>
    )
  // Another tab shown: say whose list this is, so nobody takes it for the shown request's.
  const tabName = tabDisplayName(tab)
  const of = shown ? '' : ` of ${tabName}`
  return (
    <div className="messaging-send-bar messaging-saved" role="group" aria-label={label}>
      <select
        aria-label={label}
        title={`${label} of ${tabName}, the request this session was opened from`}
        value={picked < items.length ? picked : -1}
        onChange={(e) => {
          const i = Number(e.target.value)
          setPicked(i)
          if (i >= 0) pick(i, tab.id)
        }}
      >
        <option value={-1}>
          {items.length ? `${label}${of} (${items.length})` : `No ${label.toLowerCase()}${of}`}
        </option>
        {items.map((m, i) => (
          <option key={i} value={i}>
            {m.name}
          </option>
        ))}
      </select>
      <button
        type="button"
        disabled={!hasPick}
        title="Write the box over the saved one picked (its name kept)"
        onClick={() => setError(update(picked, tab.id))}
      >
        Update
      </button>
      <button
        type="button"
        disabled={!hasPick}
        onClick={() => {
          remove(picked, tab.id)
          setPicked(-1)
        }}
      >
        Remove
      </button>
      <input
        className="short-field"
        aria-label={`Name to save the ${what} under`}
        placeholder="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button
        type="button"
        onClick={() => {
          const err = save(name, tab.id)
          setError(err)
          if (!err) setName('')
        }}
      >
        Add to saved
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error.message}
        </span>
      ) : null}
    </div>
  )
}
