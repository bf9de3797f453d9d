import { LineEditor } from '../editor/LineEditor'
import { useAppStore } from '../store/store-context'

interface TestInputProps {
  label: string
  value: string
  onChange(v: string): void
  error?: string | undefined
  placeholder?: string
  className?: string
  inputMode?: 'numeric' | 'decimal' | 'text'
  /**
   * An expression or a value that may hold `{{variables}}`: a one-line code editor that highlights and
   * completes them (numbers and names stay plain fields).
   */
  code?: boolean
}

/** A text input that shows its problem: red border, the message as its description and tooltip. */
export function TestInput(props: TestInputProps) {
  if (props.code) return <CodeTestInput {...props} />
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

function CodeTestInput(props: TestInputProps) {
  const vars = useAppStore((s) => s.scopeVars)
  return (
    <LineEditor
      label={props.label}
      value={props.value}
      onChange={props.onChange}
      vars={vars}
      error={props.error}
      {...(props.placeholder ? { placeholder: props.placeholder } : {})}
      {...(props.className ? { className: props.className } : {})}
    />
  )
}
