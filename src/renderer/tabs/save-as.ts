import type { FolderNode } from '../../shared/collection'

export interface FolderChoice {
  /** '' for the collection's root. */
  path: string
  /** What the person reads: `Users › Admin`. */
  label: string
}

/** Every folder of a collection, root first, in tree order, for the "Save as" folder list (bounded). */
export function folderChoices(root: FolderNode, limit = 2000): FolderChoice[] {
  const out: FolderChoice[] = [{ path: '', label: '(top level)' }]
  const walk = (folder: FolderNode, trail: string, depth: number): void => {
    if (depth > 64) return
    for (const node of folder.children) {
      if (node.type !== 'folder' || out.length >= limit) continue
      const label = trail ? `${trail} › ${node.name}` : node.name
      out.push({ path: node.path, label })
      walk(node, label, depth + 1)
    }
  }
  walk(root, '', 0)
  return out
}
