import { useEffect, useRef, type RefObject } from 'react'
import { RemoveCell } from '../composer/KeyValueTable'
import type { Variable } from '../../shared/collection'
import { useFocusAddedRow } from '../hooks/use-focus-added-row'
import { CopyNote } from '../details/CopyNote'
import { BidiNote } from '../app/BidiNote'
import { SECRET_COPY_PLACE, SecretValueField } from './SecretValueField'

/** A row's value: a secret's behind its mask with show and copy, another's as plain text. */
function ValueField({ row, index, onValue }: { row: Variable; index: number; onValue(value: string): void }) {
  const label = `Variable value ${index + 1}`
  if (row.secret)
    return (
      <SecretValueField
        label={label}
        name={row.name || String(index + 1)}
        value={row.value}
        onValue={onValue}
      />
    )
  return (
    <input
      className="kv-input mono"
      aria-label={label}
      value={row.value}
      spellCheck={false}
      onChange={(e) => onValue(e.target.value)}
    />
  )
}

/** Name / value / secret rows, for a collection, a folder or an environment. */
export function VariablesTable({
  rows,
  onChange,
  focusName,
}: {
  rows: Variable[]
  onChange(rows: Variable[]): void
  /** Opened to set this variable (the empty-secret note's Set value…): the focus goes to its value. */
  focusName?: string | undefined
}) {
  const update = (i: number, patch: Partial<Variable>): void =>
    onChange(rows.map((v, j) => (j === i ? { ...v, ...patch } : v)))
  const [tableRef, added] = useFocusAddedRow<HTMLTableElement>(rows.length)
  useFocusValueOf(tableRef, rows, focusName)
  return (
    <>
      <table ref={tableRef} className="kv-table vars-table" aria-label="Variables table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Value</th>
            <th>Secret</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>
                <input
                  className="kv-input mono"
                  aria-label={`Variable name ${i + 1}`}
                  value={r.name}
                  spellCheck={false}
                  onChange={(e) => update(i, { name: e.target.value })}
                />
              </td>
              <td>
                <ValueField row={r} index={i} onValue={(value) => update(i, { value })} />
              </td>
              <td className="kv-check">
                <input
                  type="checkbox"
                  aria-label={`Secret ${r.name || i + 1}`}
                  checked={r.secret}
                  onChange={(e) => update(i, { secret: e.target.checked })}
                />
              </td>
              <RemoveCell
                label={`Remove variable ${r.name || i + 1}`}
                onRemove={() => onChange(rows.filter((_, j) => j !== i))}
              />
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        className="link-button"
        onClick={() => {
          added()
          onChange([...rows, { name: '', value: '', secret: false }])
        }}
      >
        + Add variable
      </button>
      <BidiNote label="Variables" rows={rows} />
      <CopyNote bodyId={SECRET_COPY_PLACE} />
    </>
  )
}

/**
 * Once the dialog is open (its showModal puts the focus on its first field, after this table's own effects),
 * the named variable's value field takes the focus.
 */
function useFocusValueOf(
  table: RefObject<HTMLTableElement | null>,
  rows: readonly Variable[],
  name: string | undefined,
): void {
  const at = name === undefined ? -1 : rows.findIndex((r) => r.name === name)
  const first = useRef(at)
  useEffect(() => {
    if (first.current < 0) return
    const frame = requestAnimationFrame(() =>
      table.current
        ?.querySelector<HTMLInputElement>(`input[aria-label="Variable value ${first.current + 1}"]`)
        ?.focus(),
    )
    return () => cancelAnimationFrame(frame)
  }, [table])
}

/** Trimmed rows without blanks, or the first name Flightdeck cannot use. */
export function validVariables(rows: readonly Variable[]): { variables: Variable[] } | { error: string } {
  const clean = rows.filter((r) => r.name.trim() !== '').map((r) => ({ ...r, name: r.name.trim() }))
  const bad = clean.find((r) => !/^[A-Za-z_][\w.-]*$/.test(r.name))
  if (bad)
    return {
      error: `"${bad.name}" is not a variable name (letters, digits, _ . -; not starting with a digit)`,
    }
  return { variables: clean }
}

/** Why a save was refused, said in the dialog the person is looking at (the sidebar shows it too, behind it). */
export function notSavedText(reason: string | null): string {
  return reason ? `Not saved: ${reason}` : 'Not saved.'
}
