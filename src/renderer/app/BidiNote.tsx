import { bidiVisible, hasBidiControl, VisibleLine } from './VisibleControls'

/** A line break a one-line box draws as a space or as nothing (a pasted U+2028). */
const LINE_BREAK = /[\n\r\u2028\u2029]/

/** A row of a name/value table; a secret's value is never said again (it stays behind its mask). */
interface NamedValue {
  name: string
  value: string
  secret?: boolean
}

/**
 * A text box cannot mark a bidirectional control (RLO and its kin) or a zero-width character the way the app's
 * other text does (VisibleControls.tsx): it lays the text out by it, so `invoice<RLO>fdp.exe` reads
 * `invoiceexe.pdf` there, and `token<U+200B>` reads `token`.
 * Below a table of boxes, each such name or value (the first three) is said again with its controls as escapes.
 */
export function BidiNote({ label, rows }: { label: string; rows: readonly NamedValue[] }) {
  const found: string[] = []
  rows.forEach((r, i) => {
    if (found.length >= 3) return
    if (hasBidiControl(r.name)) found.push(`name ${i + 1}: ${bidiVisible(r.name)}`)
    if (r.secret !== true && hasBidiControl(r.value)) found.push(`value ${i + 1}: ${bidiVisible(r.value)}`)
  })
  if (found.length === 0) return null
  return (
    <p className="field-warning" role="note">
      {label} holding a bidirectional control or a character drawn as nothing, which a box shows other than it
      is: {found.join('; ')}
    </p>
  )
}

/**
 * One text box's value said again below it, as the app's other text shows it (each control a marked escape, a
 * line break ⏎), when it holds any.
 */
export function BidiFieldNote({ label, text }: { label: string; text: string }) {
  const controls = hasBidiControl(text)
  const breaks = LINE_BREAK.test(text)
  if (!controls && !breaks) return null
  const what = controls
    ? breaks
      ? 'a line break and a bidirectional control or a character drawn as nothing'
      : 'a bidirectional control or a character drawn as nothing'
    : 'a line break'
  return (
    <p className="field-warning" role="note">
      {label} holds {what}, which the box shows other than it is: <VisibleLine text={text} />
    </p>
  )
}
