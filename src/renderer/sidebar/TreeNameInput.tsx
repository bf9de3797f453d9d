import { useAppStore } from '../store/store-context'
import type { RowContext } from './tree-context'

/**
 * The inline name field for a new request or folder, or a rename. Enter commits, Esc cancels; leaving the field
 * commits too. `depth` indents it as a row at that depth; -1 puts it inside the row being renamed.
 */
export function TreeNameInput({ ctx, depth }: { ctx: RowContext; depth: number }) {
  const createRequest = useAppStore((s) => s.createRequestIn)
  const createFolder = useAppStore((s) => s.createFolderIn)
  const rename = useAppStore((s) => s.renameNode)
  const editing = ctx.editing
  if (!editing) return null
  const label =
    editing.mode === 'rename'
      ? `New name for ${editing.name}`
      : editing.mode === 'new-folder'
        ? 'New folder name'
        : 'New request name'
  const commit = (value: string): void => {
    const name = value.trim()
    ctx.setEditing(null)
    if (name === '' || (editing.mode === 'rename' && name === editing.name)) return
    if (editing.mode === 'rename') void rename(ctx.dir, editing.path, name)
    else if (editing.mode === 'new-folder') void createFolder(ctx.dir, editing.path, name)
    else void createRequest(ctx.dir, editing.path, name)
  }
  return (
    <form
      className="name-input-row"
      style={depth >= 0 ? { paddingLeft: 20 + depth * 14 } : undefined}
      onSubmit={(e) => {
        e.preventDefault()
        const input = e.currentTarget.elements.namedItem('name')
        if (input instanceof HTMLInputElement) commit(input.value)
      }}
      onClick={(e) => e.stopPropagation()}
    >
      <input
        name="name"
        className="field-input name-input"
        aria-label={label}
        defaultValue={editing.mode === 'rename' ? editing.name : ''}
        placeholder={editing.mode === 'new-folder' ? 'Folder name' : 'Request name'}
        autoFocus
        onKeyDown={(e) => {
          e.stopPropagation()
          if (e.key === 'Escape') ctx.setEditing(null)
        }}
        onBlur={(e) => commit(e.currentTarget.value)}
      />
    </form>
  )
}
