import { ancestorFolders, type FolderNode } from '../../shared/collection'
import { hasScript } from './script-draft'

/**
 * The collection's and folders' own scripts that run around a request, outermost first (the engine's order:
 * collection, folders outer first, then the request's own), and how the Scripts tab names each.
 */

export interface LevelScriptsEntry {
  folder: FolderNode
  /** `collection Shop`, `folder Account`. */
  label: string
  /** `pre-request and post-response`, `post-response`; `, translated (not run)` when its checks stand for it. */
  phases: string
}

export function levelsAround(root: FolderNode, path: string): LevelScriptsEntry[] {
  const out: LevelScriptsEntry[] = []
  for (const f of ancestorFolders(root, path)) {
    const s = f.scripts
    if (!s) continue
    const pre = hasScript(s.preRequest ?? '')
    const post = hasScript(s.test ?? '')
    if (!pre && !post) continue
    const which = pre && post ? 'pre-request and post-response' : pre ? 'pre-request' : 'post-response'
    out.push({
      folder: f,
      label: f === root ? `collection ${f.name}` : `folder ${f.name}`,
      phases: s.translated === true ? `${which}, translated (not run)` : which,
    })
  }
  return out
}
