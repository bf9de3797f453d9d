import { useState, type InputHTMLAttributes } from 'react'

interface NumberFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange' | 'type'
> {
  value: number
  min: number
  max: number
  onValue(n: number): void
}

/**
 * A number input that lets a person clear it and type: the draft text is local, and only a whole number in
 * range reaches the store. On blur the field shows the store's value again.
 */
export function NumberField({ value, min, max, onValue, onBlur, ...rest }: NumberFieldProps) {
  const [draft, setDraft] = useState<string | null>(null)
  return (
    <input
      {...rest}
      type="number"
      inputMode="numeric"
      min={min}
      max={max}
      value={draft ?? String(value)}
      onChange={(e) => {
        setDraft(e.target.value)
        const n = e.target.valueAsNumber
        if (Number.isInteger(n) && n >= min && n <= max) onValue(n)
      }}
      onBlur={(e) => {
        setDraft(null)
        onBlur?.(e)
      }}
    />
  )
}

/**
 * A labelled number field, as the forms lay them out: the text, then the field; the field is named by the text
 * unless `aria-label` says otherwise.
 */
export function LabeledNumber({ label, ...field }: NumberFieldProps & { label: string }) {
  return (
    <label>
      {label}
      <NumberField className="num-input" aria-label={label} {...field} />
    </label>
  )
}
