/** A text input that shows its problem: red border, the message as its description and tooltip. */
export function TestInput(props: {
  label: string
  value: string
  onChange(v: string): void
  error?: string | undefined
  placeholder?: string
  className?: string
  inputMode?: 'numeric' | 'decimal' | 'text'
}) {
  return (
    <input
      className={`kv-input mono${props.className ? ` ${props.className}` : ''}${props.error ? ' invalid' : ''}`}
      aria-label={props.label}
      aria-invalid={props.error ? true : undefined}
      title={props.error ?? ''}
      placeholder={props.placeholder ?? ''}
      inputMode={props.inputMode ?? 'text'}
      spellCheck={false}
      autoComplete="off"
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
    />
  )
}
