import { useState } from 'react'
import { useAppStore } from '../store/store-context'

/** Where a copied secret's note shows (the variables table's CopyNote). */
export const SECRET_COPY_PLACE = 'variables'

/**
 * A secret variable's value as typed in the dialog: masked until its eye is pressed, with Copy (a browser will
 * not copy out of a masked field). A blank keeps the value already stored, which stays in the engine's secret
 * store and never comes to this window, so there is nothing to show or copy then.
 */
export function SecretValueField({
  label,
  name,
  value,
  onValue,
}: {
  label: string
  /** The variable's name (or its row number), for the buttons' names. */
  name: string
  value: string
  onValue(value: string): void
}) {
  const [shown, setShown] = useState(false)
  const copyText = useAppStore((s) => s.copyText)
  const blank = value === ''
  return (
    <span className="secret-value">
      <input
        className="kv-input mono"
        aria-label={label}
        type={shown ? 'text' : 'password'}
        autoComplete="off"
        placeholder="blank keeps the stored value"
        title="Kept outside the collection (OS keychain or your config folder); blank keeps the stored value"
        value={value}
        spellCheck={false}
        onChange={(e) => onValue(e.target.value)}
      />
      <button
        type="button"
        className="icon-button secret-eye"
        aria-label={`Show the value of ${name}`}
        aria-pressed={shown}
        title={shown ? 'Hide the value' : 'Show the value'}
        onClick={() => setShown((on) => !on)}
      >
        <EyeIcon crossed={!shown} />
      </button>
      <button
        type="button"
        className="link-button small secret-copy"
        aria-label={`Copy the value of ${name}`}
        title={
          blank ? 'The stored value stays in the secret store; type a value to copy it' : 'Copy the value'
        }
        disabled={blank}
        onClick={() => void copyText(value, `the value of ${name}`, SECRET_COPY_PLACE)}
      >
        Copy
      </button>
    </span>
  )
}

/** An eye, struck through while the value is masked (an icon, so it draws the same with any font). */
function EyeIcon({ crossed }: { crossed: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor">
      <path
        d="M1.5 8c1.6-3 4-4.5 6.5-4.5S12.9 5 14.5 8c-1.6 3-4 4.5-6.5 4.5S3.1 11 1.5 8z"
        strokeWidth="1.3"
      />
      <circle cx="8" cy="8" r="2" strokeWidth="1.3" />
      {crossed ? <path d="M2.5 13.5l11-11" strokeWidth="1.4" /> : null}
    </svg>
  )
}
