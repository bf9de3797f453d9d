import { useState } from 'react'

/**
 * A text field that writes its value back only while it is valid: what is typed stays on screen with the
 * problem beside it, and the saved value (which the file's schema checks) is never one that would not save.
 * Another value from outside (a pick, an undo, another tab) replaces what is typed.
 */
export function CommitField(props: {
  label: string
  value: string
  onCommit: (value: string) => void
  /** What is wrong with a value, or null when it may be written. */
  problem?: (value: string) => string | null
  placeholder?: string
  className?: string
}) {
  const { value, problem, onCommit } = props
  const [text, setText] = useState(value)
  const [shown, setShown] = useState(value)
  // A new value from outside replaces what is typed (set while rendering, as React advises over an effect).
  if (shown !== value) {
    setShown(value)
    setText(value)
  }
  const wrong = text === value ? null : (problem?.(text) ?? null)
  return (
    <>
      <input
        className={`kv-input mono${wrong ? ' invalid' : ''}${props.className ? ` ${props.className}` : ''}`}
        aria-label={props.label}
        aria-invalid={wrong ? true : undefined}
        title={wrong ?? undefined}
        placeholder={props.placeholder}
        spellCheck={false}
        value={text}
        onChange={(e) => {
          const v = e.target.value
          setText(v)
          if (!problem?.(v)) onCommit(v)
        }}
      />
      {wrong ? (
        <span className="field-error" role="alert">
          {wrong}
        </span>
      ) : null}
    </>
  )
}
