import { useRef, useState } from 'react'
import { useMenuDismiss } from '../hooks/use-menu-dismiss'
import { useAppStore } from '../store/store-context'
import { HarNote } from './HarNote'
import { scopeSids, type HarScope } from './har-slice'
import { rowSids, type ViewItem } from './table-view'

/**
 * "HAR": export all, the rows shown, or the selected ones; import a HAR file onto the timeline. The counts the
 * open menu shows walk the rows (the shown ones, the selected ones in timeline order): they are read only while
 * it is open, not on every batch of a burst while it is closed.
 */
export function HarMenu({ items }: { items: readonly ViewItem[] }) {
  const [open, setOpen] = useState(false)
  const [withSecrets, setWithSecrets] = useState(false)
  const fileRef = useRef<HTMLInputElement>(null)
  const importHar = useAppStore((s) => s.importHar)
  const note = useAppStore((s) => s.harNote)
  const clearHarNote = useAppStore((s) => s.clearHarNote)
  const wrap = useMenuDismiss<HTMLSpanElement>(open, setOpen)

  return (
    <span className="har-menu">
      <span className="menu-wrap" ref={wrap}>
        <button
          type="button"
          className="secondary-button small"
          aria-haspopup="true"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          HAR
        </button>
        {open ? (
          <HarMenuItems
            items={items}
            withSecrets={withSecrets}
            setWithSecrets={setWithSecrets}
            close={() => setOpen(false)}
            chooseFile={() => fileRef.current?.click()}
          />
        ) : null}
        <input
          ref={fileRef}
          type="file"
          accept=".har,application/json"
          aria-label="HAR file to import"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0]
            e.target.value = ''
            if (file) void file.text().then((text) => importHar(file.name, text))
          }}
        />
      </span>
      {note ? <HarNote key={note.text} text={note.text} error={note.error} onDismiss={clearHarNote} /> : null}
    </span>
  )
}

/** The open menu's items, with the counts of what each would export. */
function HarMenuItems({
  items,
  withSecrets,
  setWithSecrets,
  close,
  chooseFile,
}: {
  items: readonly ViewItem[]
  withSecrets: boolean
  setWithSecrets: (on: boolean) => void
  close: () => void
  chooseFile: () => void
}) {
  const total = useAppStore((s) => s.timeline.order.length)
  const selected = useAppStore((s) => s.selectedSid)
  const marked = useAppStore((s) => s.compareSids)
  // The order is appended to in place: its version, not its identity, says that rows were listed.
  const order = useAppStore((s) => s.timeline.order)
  useAppStore((s) => s.timeline.orderVersion)
  const exportHar = useAppStore((s) => s.exportHar)
  const shown = rowSids(items)
  const selectedCount = scopeSids('selected', order, shown, selected, marked).length

  const run = (scope: HarScope) => () => {
    close()
    void exportHar(scope, shown, withSecrets)
  }
  return (
    <div className="menu" role="menu" aria-label="HAR" onMouseLeave={close}>
      <button type="button" role="menuitem" className="menu-item" disabled={total === 0} onClick={run('all')}>
        Export all ({total})
      </button>
      <button
        type="button"
        role="menuitem"
        className="menu-item"
        disabled={shown.length === 0}
        onClick={run('shown')}
      >
        Export shown ({shown.length})
      </button>
      <button
        type="button"
        role="menuitem"
        className="menu-item"
        disabled={selectedCount === 0}
        onClick={run('selected')}
      >
        Export selected ({selectedCount})
      </button>
      <label className="menu-item menu-check">
        <input type="checkbox" checked={withSecrets} onChange={(e) => setWithSecrets(e.target.checked)} />
        Include credentials and secrets
      </label>
      <button
        type="button"
        role="menuitem"
        className="menu-item"
        onClick={() => {
          close()
          chooseFile()
        }}
      >
        Import HAR…
      </button>
    </div>
  )
}
