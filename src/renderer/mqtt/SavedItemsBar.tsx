import { useState } from 'react'
import type { AppError } from '../../shared/result'
import { useAppStore } from '../store/store-context'
import { selectActiveTab } from '../tabs/active-draft'
import { savedEmits, savedPublishes } from './messaging-saved'

/**
 * The active tab's saved publishes (or emits): pick one to fill the box, write the box back over it (Update)
 * or save it as a new one, remove the one picked. They live in the request's `mqtt:` / `socketio:` block, so
 * Save writes them to its file; the composer's Saved tab renames, edits and reorders them in place.
 */
export function SavedItemsBar({ what }: { what: 'publish' | 'emit' }) {
  const tab = useAppStore(selectActiveTab)
  const save = useAppStore((s) => s.saveMessagingItem)
  const pick = useAppStore((s) => s.pickSavedItem)
  const remove = useAppStore((s) => s.removeSavedItem)
  const update = useAppStore((s) => s.updateSavedItem)
  const [picked, setPicked] = useState(-1)
  const [name, setName] = useState('')
  const [error, setError] = useState<AppError | null>(null)
  const items = what === 'publish' ? savedPublishes(tab?.extras) : savedEmits(tab?.extras)
  const label = what === 'publish' ? 'Saved publishes' : 'Saved emits'
  const hasPick = picked >= 0 && picked < items.length
  return (
    <div className="messaging-send-bar messaging-saved" role="group" aria-label={label}>
      <select
        aria-label={label}
        value={picked < items.length ? picked : -1}
        onChange={(e) => {
          const i = Number(e.target.value)
          setPicked(i)
          if (i >= 0) pick(i)
        }}
      >
        <option value={-1}>
          {items.length ? `${label} (${items.length})` : `No ${label.toLowerCase()}`}
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
        onClick={() => setError(update(picked))}
      >
        Update
      </button>
      <button
        type="button"
        disabled={!hasPick}
        onClick={() => {
          remove(picked)
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
          const err = save(name)
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
