import { basename, join } from 'node:path'
import type { AuthSpec, FolderNode, RequestScripts, SavedRequest, Variable } from '../../shared/collection'
import { readRequestFile, stemOf, type LoadedCollection } from '../collections/loader'
import { exportLiteralBraces } from './export-literal-braces'

/**
 * A collection read whole for an export to another tool: its folders with their settings and every request
 * file parsed. A file that does not parse is not exported and is listed in `skipped` with why, so the export
 * says what it left behind.
 */

export interface ExportRequest {
  type: 'request'
  path: string
  request: SavedRequest
}

export interface ExportFolder {
  type: 'folder'
  path: string
  name: string
  variables: Variable[]
  auth: AuthSpec
  /** The folder's (the root's: the collection's) own scripts. */
  scripts?: RequestScripts
  children: (ExportFolder | ExportRequest)[]
}

const MAX_DEPTH = 32

export async function readExportTree(
  loaded: LoadedCollection,
  tool = 'the tool it is exported to',
): Promise<{ root: ExportFolder; skipped: string[] }> {
  const { info, folders } = loaded
  const skipped = info.problems.map((p) => `${p.path}: not exported (${p.message})`)
  const walk = async (folder: FolderNode, depth: number): Promise<ExportFolder> => {
    const scripts = folders.get(folder.path)?.scripts ?? folder.scripts
    const out: ExportFolder = {
      type: 'folder',
      path: folder.path,
      name: folder.name,
      variables: folders.get(folder.path)?.variables ?? folder.variables,
      auth: folders.get(folder.path)?.auth ?? folder.auth,
      ...(scripts ? { scripts } : {}),
      children: [],
    }
    for (const child of folder.children) {
      if (child.type === 'folder') {
        if (depth >= MAX_DEPTH)
          skipped.push(`${child.path}: not exported (folders nested deeper than ${MAX_DEPTH})`)
        else out.children.push(await walk(child, depth + 1))
        continue
      }
      const r = await readRequestFile(join(info.dir, ...child.path.split('/')), stemOf(basename(child.path)))
      if (!r.ok) skipped.push(`${child.path}: not exported (line ${r.line}: ${r.problem})`)
      else
        out.children.push({
          type: 'request',
          path: child.path,
          request: exportLiteralBraces(r.request, child.path, tool, skipped),
        })
    }
    return out
  }
  const root = await walk(info.root, 0)
  root.variables = info.variables
  root.auth = info.auth
  return { root, skipped }
}
