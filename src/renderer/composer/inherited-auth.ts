import { ancestorFolders, type AuthSpec, type FolderNode } from '../../shared/collection'

/**
 * The auth a saved request sends when its own says `inherit`, as the engine resolves it (auth-chain.ts): its
 * nearest folder's that is not `inherit` itself, else the collection's, else none; and which of them sets it.
 */

const NONE: AuthSpec = { type: 'none' }

export interface InheritedAuth {
  auth: AuthSpec
  /** The folder that sets it; null for the collection's (or none at all). */
  from: FolderNode | null
}

/** What the request at `path` (a file path in the collection) inherits from its folders and `collectionAuth`. */
export function inheritedAuthOf(root: FolderNode, collectionAuth: AuthSpec, path: string): InheritedAuth {
  const folders = ancestorFolders(root, path).slice(1)
  for (let i = folders.length - 1; i >= 0; i--) {
    const folder = folders[i]
    if (folder && folder.auth.type !== 'inherit') return { auth: folder.auth, from: folder }
  }
  return { auth: collectionAuth.type === 'inherit' ? NONE : collectionAuth, from: null }
}
