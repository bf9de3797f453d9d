import type { FolderNode } from '../../shared/collection'

/**
 * What the rows of one collection's tree share: which folders are closed and which name is being typed. It is
 * the same object until one of those changes, so a row whose node did not change is skipped (TreeRows.tsx).
 */

/** The inline name field open in the tree: a rename of `path`, or a new request or folder inside `path`. */
export type Editing =
  | { mode: 'rename'; path: string; name: string }
  | { mode: 'new-request' | 'new-folder'; path: string; name: string }
  | null

export interface RowContext {
  dir: string
  collapsed: ReadonlySet<string>
  toggle(path: string): void
  editing: Editing
  setEditing(e: Editing): void
}

/** Every folder's path (nesting bounded at 64), to open a big collection with its folders closed. */
export function folderPaths(root: FolderNode): Set<string> {
  const out = new Set<string>()
  const walk = (f: FolderNode, depth: number): void => {
    for (const c of f.children) {
      if (c.type === 'folder' && depth < 64) {
        out.add(c.path)
        walk(c, depth + 1)
      }
    }
  }
  walk(root, 0)
  return out
}
