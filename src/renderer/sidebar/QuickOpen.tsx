import { useEffect, useMemo, useState } from 'react'
import { useModalDialog } from '../hooks/use-modal-dialog'
import { useAppStore } from '../store/store-context'
import { quickOpenMatches } from './quick-open'

/**
 * Ctrl/Cmd+K: find a request in any open collection by name, method, URL or folder; ↑/↓ choose, Enter opens
 * it in a tab, Esc closes.
 */
export function QuickOpen({ onClose }: { onClose(): void }) {
  const collections = useAppStore((s) => s.collections)
  const openRequest = useAppStore((s) => s.openRequest)
  const [query, setQuery] = useState('')
  const [index, setIndex] = useState(0)
  const dialog = useModalDialog()
  const matches = useMemo(() => quickOpenMatches(collections, query), [collections, query])
  const chosen = Math.min(index, Math.max(0, matches.length - 1))

  useEffect(() => {
    dialog.current?.querySelector(`[data-index="${chosen}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [chosen, dialog])

  const open = (i: number): void => {
    const m = matches[i]
    if (!m) return
    onClose()
    void openRequest(m.dir, m.path)
  }

  return (
    <dialog ref={dialog} className="quick-open" aria-label="Open a request" onClose={onClose}>
      <input
        className="field-input quick-open-input"
        aria-label="Find a request"
        placeholder={collections.length === 0 ? 'Open a collection first' : 'Request name, method or URL'}
        value={query}
        autoFocus
        spellCheck={false}
        role="combobox"
        aria-expanded="true"
        aria-controls="quick-open-list"
        aria-activedescendant={matches.length > 0 ? `quick-open-${chosen}` : undefined}
        onChange={(e) => {
          setQuery(e.target.value)
          setIndex(0)
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault()
            setIndex(Math.min(matches.length - 1, chosen + 1))
          } else if (e.key === 'ArrowUp') {
            e.preventDefault()
            setIndex(Math.max(0, chosen - 1))
          } else if (e.key === 'Enter') {
            e.preventDefault()
            open(chosen)
          }
        }}
      />
      <ul className="quick-open-list" id="quick-open-list" role="listbox" aria-label="Matching requests">
        {matches.map((m, i) => (
          <li
            key={`${m.dir}\n${m.path}`}
            id={`quick-open-${i}`}
            data-index={i}
            role="option"
            aria-selected={i === chosen}
            className={i === chosen ? 'quick-open-item active' : 'quick-open-item'}
            onMouseDown={(e) => {
              e.preventDefault()
              open(i)
            }}
            onMouseMove={() => setIndex(i)}
          >
            <span className={`tree-method method-${m.method.toLowerCase()}`}>{m.method}</span>
            <span className="quick-open-name">{m.name}</span>
            <span className="quick-open-where muted small">{m.where}</span>
            <span className="quick-open-url mono muted small">{m.url}</span>
          </li>
        ))}
        {matches.length === 0 && collections.length > 0 ? (
          <li className="muted small quick-open-empty">No request matches “{query}”.</li>
        ) : null}
      </ul>
    </dialog>
  )
}
