import type { FolderNode, RequestNode, SavedRequest, TreeNode } from '../../shared/collection'
import type { FolderSettings } from './collection-file-format'
import { stemOf } from './file-names'
import { compareNames } from './name-order'

/**
 * The tree a scan shows: every folder found (with its settings when it has a folder file), the requests in it,
 * each folder's children in its `order` list first, then folders before requests, then by name.
 */

function sortChildren(children: TreeNode[], order: readonly string[]): TreeNode[] {
  // Each node's rank once, not once per comparison (a folder of thousands sorted in a few ms).
  const ranks = new Map<TreeNode, number>()
  if (order.length > 0) {
    const at = new Map<string, number>()
    order.forEach((name, i) => {
      if (!at.has(name)) at.set(name, i)
    })
    for (const n of children) {
      const last = n.path.slice(n.path.lastIndexOf('/') + 1)
      ranks.set(n, at.get(n.type === 'request' ? stemOf(last) : last) ?? order.length)
    }
  }
  const rank = (n: TreeNode): number => ranks.get(n) ?? 0
  // Names as people read them (./name-order.ts); two of the same name, by path, so the order is total.
  return children.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.type === b.type ? 0 : a.type === 'folder' ? -1 : 1) ||
      compareNames(a.name, b.name) ||
      a.path.localeCompare(b.path),
  )
}

/**
 * The root node ('' named `rootName`) with every folder in `folderPaths` under its parent and every request under
 * its folder. `folderPaths` is sorted in place: the scan that found them has no further use for their order.
 */
export function buildTree(
  rootName: string,
  folderPaths: string[],
  folders: ReadonlyMap<string, FolderSettings>,
  requests: ReadonlyMap<string, SavedRequest>,
): FolderNode {
  const nodes = new Map<string, FolderNode>()
  const folderNode = (path: string): FolderNode => {
    const s = folders.get(path)
    const name = path === '' ? rootName : (s?.name ?? path.slice(path.lastIndexOf('/') + 1))
    return {
      type: 'folder',
      path,
      name,
      variables: s?.variables ?? [],
      auth: s?.auth ?? { type: 'inherit' },
      ...(s?.trace ? { trace: s.trace } : {}),
      ...(s?.scripts ? { scripts: s.scripts } : {}),
      children: [],
    }
  }
  for (const p of folderPaths.sort()) nodes.set(p, folderNode(p))
  for (const p of folderPaths) {
    if (p === '') continue
    const parent = nodes.get(p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')
    const node = nodes.get(p)
    if (parent && node) parent.children.push(node)
  }
  for (const [rel, req] of requests) {
    const parent = nodes.get(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '')
    const node: RequestNode = {
      type: 'request',
      path: rel,
      name: req.name,
      kind: req.kind,
      method: req.method,
      url: req.url,
      ...(req.trace ? { trace: req.trace } : {}),
    }
    parent?.children.push(node)
  }
  for (const [path, node] of nodes) sortChildren(node.children, folders.get(path)?.order ?? [])
  return nodes.get('') as FolderNode
}
