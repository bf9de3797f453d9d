import { useAppStore } from '../store/store-context'
import { groupDigits } from '../../shared/group-digits'

/**
 * Pretty view of a body nested deeper than the engine indents: says so, with how deep it goes, so a line that
 * looks one level in is not taken for one. The fold markers still pair every bracket.
 */
export function IndentCapNote() {
  const cap = useAppStore((s) => (s.viewer?.mode === 'pretty' ? s.viewer.indentCap : null))
  if (!cap) return null
  return (
    <p className="field-warning small body-note" role="status">
      Nested {groupDigits(cap.deepest)} levels deep: indentation stops at level {groupDigits(cap.levels)},
      deeper lines are drawn at that level (the fold markers still pair every bracket; Raw shows the text as
      sent).
    </p>
  )
}
