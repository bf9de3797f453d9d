import type { FolderNode, RequestNode, SavedRequest, TreeNode } from '../../shared/collection'
import type { FolderSettings } from './collection-file-format'
import { stemOf } from './file-names'
import { compareKeyedNames, nameSortKey } from './name-order'

/**
 * The tree a scan shows: every folder found (with its settings when it has a folder file), the requests in it,
 * each folder's children in its `order` list first, then folders before requests, then by name.
 */

/** A child with what its place is decided by, worked out once rather than at every comparison. */
interface SortEntry {
  node: TreeNode
  rank: number
  folder: boolean
  key: string | null
}

function sortChildren(children: TreeNode[], order: readonly string[]): TreeNode[] {
  const at = new Map<string, number>()
  order.forEach((name, i) => {
    if (!at.has(name)) at.set(name, i)
  })
  const entries: SortEntry[] = children.map((node) => {
    let rank = 0
    if (order.length > 0) {
      const last = node.path.slice(node.path.lastIndexOf('/') + 1)
      rank = at.get(node.type === 'request' ? stemOf(last) : last) ?? order.length
    }
    return { node, rank, folder: node.type === 'folder', key: nameSortKey(node.name) }
  })
  // Names as people read them (./name-order.ts); two of the same name, by path, so the order is total.
  entries.sort(
    (a, b) =>
      a.rank - b.rank ||
      (a.folder === b.folder ? 0 : a.folder ? -1 : 1) ||
      compareKeyedNames(a.node.name, a.key, b.node.name, b.key) ||
      a.node.path.localeCompare(b.node.path),
  )
  return entries.map((e) => e.node)
}

/** One folder as the last build made it, and what it was made from. */
interface Built {
  node: FolderNode
  name: string
  settings: FolderSettings | undefined
  folders: readonly FolderNode[]
  requests: readonly SavedRequest[]
}

/**
 * The folders of the last build, by path. A rescan after one edit changes one folder's requests: every other
 * folder is made of the same request objects (the parse cache hands out one object per file until the file
 * changes) and the same settings, so its node, children sorted, is the last build's. Sorting a 5,000-request
 * collection's folders again, names compared as people read them, was a sixth of such a rescan's CPU.
 */
export type TreeMemo = Map<string, Built>

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

/**
 * The root node ('' named `rootName`) with every folder in `folderPaths` under its parent and every request under
 * its folder. `memo`: the last build's folders, reused where nothing they were made from changed, and replaced
 * by this build's. The nodes are shared with the last tree: read them, never change them.
 */
export function buildTree(
  rootName: string,
  folderPaths: readonly string[],
  folders: ReadonlyMap<string, FolderSettings>,
  requests: ReadonlyMap<string, SavedRequest>,
  memo: TreeMemo = new Map(),
): FolderNode {
  const subfolders = new Map<string, string[]>()
  for (const p of folderPaths) {
    subfolders.set(p, subfolders.get(p) ?? [])
    if (p === '') continue
    const parent = parentOf(p)
    const list = subfolders.get(parent)
    if (list) list.push(p)
    else subfolders.set(parent, [p])
  }
  const requestsIn = new Map<string, { rels: string[]; reqs: SavedRequest[] }>()
  for (const [rel, req] of requests) {
    const parent = parentOf(rel)
    let group = requestsIn.get(parent)
    if (!group) requestsIn.set(parent, (group = { rels: [], reqs: [] }))
    group.rels.push(rel)
    group.reqs.push(req)
  }
  const last = new Map(memo)
  memo.clear()
  const NONE: { rels: string[]; reqs: SavedRequest[] } = { rels: [], reqs: [] }
  const build = (path: string): FolderNode => {
    const childFolders = (subfolders.get(path) ?? []).map(build)
    const s = folders.get(path)
    const name = path === '' ? rootName : (s?.name ?? path.slice(path.lastIndexOf('/') + 1))
    const group = requestsIn.get(path) ?? NONE
    const before = last.get(path)
    // A request object is one file's parse (the cache's, one per path), so the same objects are the same files.
    if (
      before &&
      before.name === name &&
      before.settings === s &&
      sameItems(before.folders, childFolders) &&
      sameItems(before.requests, group.reqs)
    ) {
      memo.set(path, before)
      return before.node
    }
    const children: TreeNode[] = [...childFolders]
    group.reqs.forEach((req, i) => {
      const node: RequestNode = {
        type: 'request',
        path: group.rels[i] as string,
        name: req.name,
        kind: req.kind,
        method: req.method,
        url: req.url,
        ...(req.trace ? { trace: req.trace } : {}),
      }
      children.push(node)
    })
    const node: FolderNode = {
      type: 'folder',
      path,
      name,
      variables: s?.variables ?? [],
      auth: s?.auth ?? { type: 'inherit' },
      ...(s?.trace ? { trace: s.trace } : {}),
      ...(s?.scripts ? { scripts: s.scripts } : {}),
      children: sortChildren(children, s?.order ?? []),
    }
    memo.set(path, { node, name, settings: s, folders: childFolders, requests: group.reqs })
    return node
  }
  return build('')
}
