import type { FolderNode, TreeNode } from '../../shared/collection'

/**
 * The sidebar's search: a request matches when every word of the query is in its name, method or URL; a
 * folder stays when it or anything under it matches. Returns null when nothing matches.
 */
export function filterTree(folder: FolderNode, query: string): FolderNode | null {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return folder
  const matches = (text: string): boolean => words.every((w) => text.includes(w))
  const walk = (node: FolderNode, depth: number): FolderNode | null => {
    if (depth > 64) return null
    const own = matches(node.name.toLowerCase())
    const children: TreeNode[] = []
    for (const c of node.children) {
      if (c.type === 'request') {
        if (own || matches(`${c.name} ${c.method} ${c.url}`.toLowerCase())) children.push(c)
      } else {
        const kept = own ? c : walk(c, depth + 1)
        if (kept) children.push(kept)
      }
    }
    return children.length > 0 || own ? { ...node, children } : null
  }
  return walk(folder, 0)
}

/** Count requests under a folder (for the collapsed folder's badge). */
export function countRequests(folder: FolderNode): number {
  let n = 0
  const walk = (f: FolderNode, depth: number): void => {
    if (depth > 64) return
    for (const c of f.children) {
      if (c.type === 'request') n++
      else walk(c, depth + 1)
    }
  }
  walk(folder, 0)
  return n
}
