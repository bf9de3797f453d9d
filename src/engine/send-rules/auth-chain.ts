import {
  ancestorFolders,
  findNode,
  parentPath,
  type AuthSpec,
  type FolderNode,
} from '../../shared/collection'

/**
 * The auth a request sends: its own, or, when it says `inherit`, its nearest folder's, up to the collection's.
 * Every send (the composer's, a run's step, a stream open, a job, an exported snippet) takes it from here.
 */

/** The collection's tree and its own auth: what inheritance walks. */
export interface AuthTree {
  root: FolderNode
  auth: AuthSpec
}

/**
 * The auths a request or folder at `path` inherits from, outermost first: the collection's, its folders',
 * then `own`.
 */
export function authChain(tree: AuthTree, path: string, own: AuthSpec): AuthSpec[] {
  const node = findNode(tree.root, path)
  const folder = node?.type === 'folder' ? node.path : parentPath(path)
  const folders = ancestorFolders(tree.root, `${folder}/`)
  return [tree.auth, ...folders.slice(1).map((f) => f.auth), own]
}

/** The nearest auth that is not `inherit`: the request's, then its folders' (innermost first), then `none`. */
export function effectiveAuth(chain: readonly AuthSpec[]): AuthSpec {
  for (let i = chain.length - 1; i >= 0; i--) {
    const a = chain[i]
    if (a && a.type !== 'inherit') return a
  }
  return { type: 'none' }
}

/** The auth the request or folder at `path` sends (see `authChain`). */
export function inheritedAuth(tree: AuthTree, path: string, own: AuthSpec): AuthSpec {
  return effectiveAuth(authChain(tree, path, own))
}
