import type { CollectionInfo, FolderNode, RequestNode, TreeNode } from './collection'

/**
 * What a rescan changed in a collection, as `collection.changed` carries it: the folders whose node changed,
 * each with its own fields and its children (requests in full, folders by path only), and the collection's
 * fields other than its tree. A rescan rebuilds a folder only when something in it changed, and a changed
 * folder changes its parent, so the changed folders always reach the root and every folder they name that is
 * not among them is the same node as before. The receiver patches the tree it has: untouched folders keep
 * their identity (React skips them), and a one-file edit in a 5,000-request collection carries one folder, not
 * the collection. Each change names the version it applies to (`base`); a receiver that holds another one
 * missed a change and asks for the whole collection again.
 */

/** A folder's child as a change carries it: a request in full, a folder by its path. */
export type ShellChild = RequestNode | { type: 'folder'; path: string }

/** A changed folder: its own fields, its children as `ShellChild`ren. */
export interface FolderShell extends Omit<FolderNode, 'children'> {
  children: ShellChild[]
}

/** Pushed when a collection changed on disk (our own writes included). */
export interface CollectionChangedEvent {
  dir: string
  /** The version of the collection this change applies to, and the one it makes. */
  base: number
  version: number
  /** The collection's fields other than its tree (and its version). */
  info: Omit<CollectionInfo, 'root' | 'version'>
  /** The folders whose node changed, the root first; none when the tree did not change. */
  folders: FolderShell[]
  /** Paths (relative to the collection) whose content changed, appeared or went. */
  changed: string[]
}

/** Nesting bound of the walks here (a scan reads 24 levels deep). */
const MAX_DEPTH = 64

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

function shellOf(node: FolderNode): FolderShell {
  const { children, ...own } = node
  return {
    ...own,
    children: children.map((c) => (c.type === 'folder' ? { type: 'folder', path: c.path } : c)),
  }
}

/**
 * The folders of `after` that are not the node `before` has at the same path, parents first. The rescan reuses
 * an untouched folder's node (collection-tree.ts), so identity is what tells; a walk stops at the first
 * reused node and so visits the changed folders and their children only.
 */
export function treeDelta(before: FolderNode, after: FolderNode): FolderShell[] {
  const out: FolderShell[] = []
  const visit = (node: FolderNode, old: FolderNode | undefined, depth: number): void => {
    if (node === old || depth > MAX_DEPTH) return
    out.push(shellOf(node))
    const oldFolders = new Map<string, FolderNode>()
    if (old) for (const c of old.children) if (c.type === 'folder') oldFolders.set(c.path, c)
    for (const c of node.children) if (c.type === 'folder') visit(c, oldFolders.get(c.path), depth + 1)
  }
  visit(after, before, 0)
  return out
}

/**
 * Every field of a request node, so that a field added to RequestNode fails to compile here until it is compared:
 * a field left out would keep the old node (and show stale data) when only that field changed.
 */
const REQUEST_FIELDS: Record<keyof RequestNode, true> = {
  type: true,
  path: true,
  name: true,
  kind: true,
  method: true,
  url: true,
  trace: true,
}
const REQUEST_KEYS = Object.keys(REQUEST_FIELDS) as (keyof RequestNode)[]

function sameRequest(a: RequestNode, b: RequestNode): boolean {
  // Values are strings or, for `trace`, a small plain object.
  return REQUEST_KEYS.every((k) => a[k] === b[k] || JSON.stringify(a[k]) === JSON.stringify(b[k]))
}

/**
 * `root` with `folders` (a change's) put in: every folder a shell names and no shell carries is `root`'s node
 * at that path, unchanged; a request equal to the one it replaces stays that object. Null when the shells do not
 * fit `root` (a folder named that `root` lacks, a child outside its parent, no root shell): the receiver then
 * asks for the whole tree.
 */
export function patchTree(root: FolderNode, folders: readonly FolderShell[]): FolderNode | null {
  if (folders.length === 0) return root
  const shells = new Map<string, FolderShell>()
  for (const s of folders) shells.set(s.path, s)
  if (!shells.has('')) return null

  // The old tree's folders, found by walking down from the root, listing only the parents a change names.
  const oldFolders = new Map<string, FolderNode>([['', root]])
  const listed = new Set<string>()
  const oldAt = (path: string, depth = 0): FolderNode | undefined => {
    const known = oldFolders.get(path)
    if (known || path === '' || depth > MAX_DEPTH) return known
    const parent = oldAt(parentOf(path), depth + 1)
    if (!parent || listed.has(parent.path)) return undefined
    listed.add(parent.path)
    for (const c of parent.children) if (c.type === 'folder') oldFolders.set(c.path, c)
    return oldFolders.get(path)
  }

  const build = (path: string, depth: number): FolderNode | null => {
    const shell = shells.get(path)
    const old = oldAt(path)
    if (!shell) return old ?? null
    // Each shell is used once, so shells that name each other cannot loop.
    shells.delete(path)
    if (depth > MAX_DEPTH) return null
    const oldRequests = new Map<string, RequestNode>()
    if (old) for (const c of old.children) if (c.type === 'request') oldRequests.set(c.path, c)
    const children: TreeNode[] = []
    for (const c of shell.children) {
      if (c.path === '' || parentOf(c.path) !== path) return null
      if (c.type === 'folder') {
        const folder = build(c.path, depth + 1)
        if (!folder) return null
        children.push(folder)
      } else {
        const before = oldRequests.get(c.path)
        children.push(before && sameRequest(before, c) ? before : c)
      }
    }
    return { ...shell, children }
  }
  const patched = build('', 0)
  // A shell the tree never reached is a change this tree cannot take.
  return patched && shells.size === 0 ? patched : null
}

/** The request paths in a change's folders: which of its changed paths still name a request. */
export function requestPathsIn(folders: readonly FolderShell[]): Set<string> {
  const out = new Set<string>()
  for (const f of folders) for (const c of f.children) if (c.type === 'request') out.add(c.path)
  return out
}
