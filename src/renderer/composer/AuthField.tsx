/** One labelled auth input; a secret one is masked. */
export function Field(props: {
  label: string
  value: string
  onChange(v: string): void
  secret?: boolean
  placeholder?: string
}) {
  return (
    <label className="auth-field">
      <span className="auth-label">{props.label}</span>
      <input
        className="field-input mono"
        aria-label={props.label}
        type={props.secret ? 'password' : 'text'}
        value={props.value}
        placeholder={props.placeholder ?? ''}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  )
}
