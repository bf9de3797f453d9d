import type { KeyValue } from '../../shared/request'
import { BidiNote } from '../app/BidiNote'
import { useFocusAddedRow } from '../hooks/use-focus-added-row'

interface KeyValueTableProps {
  /** Names the table for screen readers ("Query parameters", "Headers", "Form fields"). */
  label: string
  rows: readonly KeyValue[]
  onChange(rows: KeyValue[]): void
  namePlaceholder?: string
  valuePlaceholder?: string
  /** Said beside + Add while the table is empty (where else its rows come from, say). */
  hint?: string
}

/**
 * An editable name / value / enabled table, as API clients have for params, headers and form fields. An empty one
 * shows one blank row to type into, as Postman's does (typing there makes it the first row, the cursor kept),
 * rather than a bare + Add above empty space.
 */
export function KeyValueTable({
  label,
  rows,
  onChange,
  namePlaceholder = 'name',
  valuePlaceholder = 'value',
  hint,
}: KeyValueTableProps) {
  const update = (index: number, patch: Partial<KeyValue>) =>
    onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)))
  const remove = (index: number) => onChange(rows.filter((_, i) => i !== index))
  const [tableRef, added] = useFocusAddedRow<HTMLTableElement>(rows.length)
  const add = () => {
    added()
    onChange([...rows, { name: '', value: '', enabled: true }])
  }

  return (
    <div className="kv">
      <table ref={tableRef} className="kv-table" aria-label={label}>
        <tbody>
          {/* One list either way: the blank row and the first row share key 0, so typing keeps its field. */}
          {rows.length === 0
            ? [
                // The row the first one becomes: its cells as a row's, so the field typed into stays the same one.
                <tr key={0} className="kv-blank">
                  <td className="kv-check" />
                  <td>
                    <input
                      className="kv-input mono"
                      aria-label={`${label} name 1`}
                      placeholder={namePlaceholder}
                      value=""
                      spellCheck={false}
                      onChange={(e) => onChange([{ name: e.target.value, value: '', enabled: true }])}
                    />
                  </td>
                  <td>
                    <input
                      className="kv-input mono"
                      aria-label={`${label} value 1`}
                      placeholder={valuePlaceholder}
                      value=""
                      spellCheck={false}
                      onChange={(e) => onChange([{ name: '', value: e.target.value, enabled: true }])}
                    />
                  </td>
                  <td className="kv-remove" />
                </tr>,
              ]
            : rows.map((row, i) => (
                <tr key={i} className={row.enabled ? undefined : 'kv-disabled'}>
                  <td className="kv-check">
                    <input
                      type="checkbox"
                      aria-label={`Enabled ${row.name || `row ${i + 1}`}`}
                      checked={row.enabled}
                      onChange={(e) => update(i, { enabled: e.target.checked })}
                    />
                  </td>
                  <td>
                    <input
                      className="kv-input mono"
                      aria-label={`${label} name ${i + 1}`}
                      placeholder={namePlaceholder}
                      value={row.name}
                      spellCheck={false}
                      onChange={(e) => update(i, { name: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      className="kv-input mono"
                      aria-label={`${label} value ${i + 1}`}
                      placeholder={valuePlaceholder}
                      value={row.value}
                      spellCheck={false}
                      onChange={(e) => update(i, { value: e.target.value })}
                    />
                  </td>
                  <RemoveCell label={`Remove ${row.name || `row ${i + 1}`}`} onRemove={() => remove(i)} />
                </tr>
              ))}
        </tbody>
      </table>
      <div className="kv-actions">
        <button type="button" className="link-button" onClick={add}>
          + Add
        </button>
        {hint && rows.length === 0 ? <span className="muted small kv-hint">{hint}</span> : null}
      </div>
      <BidiNote label={label} rows={rows} />
    </div>
  )
}

/**
 * The last cell of a table row: × removes the row; `label` names what it removes, for screen readers and tests.
 * A focused × that leaves with its row hands the focus on (the row now in its place, else the one before, else
 * the table's + Add) rather than to the page's start.
 */
export function RemoveCell({ label, onRemove }: { label: string; onRemove: () => void }) {
  return (
    <td className="kv-remove">
      <button
        type="button"
        className="icon-button"
        aria-label={label}
        onClick={(e) => {
          const row = e.currentTarget.closest('tr')
          const table = row?.closest('table') ?? null
          const at = row?.parentElement ? Array.from(row.parentElement.children).indexOf(row) : -1
          onRemove()
          requestAnimationFrame(() => focusAfterRemove(table, at))
        }}
      >
        ×
      </button>
    </td>
  )
}

function focusAfterRemove(table: HTMLTableElement | null, at: number): void {
  const now = document.activeElement
  if (!table?.isConnected || (now !== null && now !== document.body && now.isConnected)) return
  const rows = table.querySelectorAll<HTMLTableRowElement>(':scope > tbody > tr')
  const row = rows[at] ?? rows[at - 1]
  const next =
    row?.querySelector<HTMLElement>('.kv-remove button') ??
    table.parentElement?.querySelector<HTMLElement>(':scope > button, :scope > .kv-actions > button')
  next?.focus()
}
