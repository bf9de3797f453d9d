import { posix, relative, sep } from 'node:path'
import type { SavedRequest } from '../../shared/collection'
import { realPathOf, within } from '../files/confine'
import { RELATIVE_FILES_NOTE } from './bruno-body'
import { PROTO_NOT_COPIED_NOTE } from './bruno-grpc'
import { BrunoCopies, type Located } from './bruno-copies'
import { notePlace, type ImportPlan, type PlanNode } from './plan'

/**
 * A Bruno collection's requests name their files (a file body, multipart file parts, a gRPC request's proto)
 * relative to the Bruno collection's folder. A folder import copies each such file that lies inside that folder,
 * after every symbolic link is followed, into the import's own hidden folder (bruno-copies.ts), and the request
 * names the copy: the collection holds what it sends, and no folder needs allowing. A path that leads outside the
 * Bruno folder (`../`, a link pointing out) is kept as written (the send or the schema load then refuses it, as
 * any path outside the collection) and named in the report. A file that could not be copied (not there, past
 * the copy limits) is re-pointed to the Bruno folder's file instead, which then needs that folder allowed.
 */

/** A path Bruno reads from its collection folder: not absolute, not a variable. */
function isRelative(path: string): boolean {
  const p = path.trim()
  return p !== '' && !/^([/\\]|[A-Za-z]:[\\/]|\{\{)/.test(p)
}

/** The imported request's path for a file left in the Bruno folder: from the collection folder `target` to it. */
function pointer(target: string, at: Located): string {
  return relative(target, at.real).split(sep).join('/')
}

/** Copy or re-point the relative file paths of a plan read from the Bruno folder `sourceDir`, written to `into`. */
export async function repointFiles(plan: ImportPlan, sourceDir: string, into: string): Promise<void> {
  const copies = new BrunoCopies(await realPathOf(sourceDir))
  const target = await realPathOf(into)
  const lines: string[] = []
  const visit = async (nodes: readonly PlanNode[], at: string): Promise<void> => {
    for (const n of nodes) {
      if (n.type === 'folder') await visit(n.folder.children, notePlace(at, n.folder.name))
      else await request(n.request, notePlace(at, n.request.name))
    }
  }
  const request = async (r: SavedRequest, where: string): Promise<void> => {
    const left: { path: string; to: string; missing: boolean }[] = []
    const outside = (what: string, path: string, outcome: string): void => {
      lines.push(
        `${where}: ${what} ${JSON.stringify(path.slice(0, 120))} leads outside the Bruno collection's folder (after its links are followed); kept as written, and ${outcome}`,
      )
    }
    const file = async (path: string): Promise<string> => {
      if (!isRelative(path)) return path
      const at = await copies.locate(path)
      if (at === null) {
        outside('file', path, 'the request refuses to read it')
        return path
      }
      const copied = await copies.copy(at, `${where}: file ${JSON.stringify(path.slice(0, 120))}`)
      if (typeof copied === 'string') return copied
      const to = pointer(target, at)
      left.push({ path, to, missing: copied.missing })
      return to
    }
    const b = r.body
    if (b.kind === 'file') b.path = await file(b.path)
    if (b.kind === 'multipart')
      for (const part of b.parts) if (part.kind === 'file') part.path = await file(part.path)
    const protos = r.kind === 'grpc' ? r.grpc?.proto : undefined
    if (protos && r.grpc) {
      const note = (l: string): void => void lines.push(`${where}: ${l}`)
      const dirs = await copies.importDirs(r.grpc.importPaths ?? [], note)
      // Until the first proto is copied, its imports are looked up in the Bruno folder's own import folders.
      let importPaths = dirs.map((d) => pointer(target, d))
      for (const [i, path] of protos.entries()) {
        if (!isRelative(path)) continue
        const at = await copies.locate(path)
        if (at === null) {
          outside('proto file', path, 'the request refuses to load it')
          continue
        }
        const copied = await copies.copyProto(at, `${where}: proto file`, note, dirs)
        if (typeof copied === 'string') {
          if (i === 0) importPaths = copies.copiedImportPaths(dirs, copied)
          protos[i] = copied
        } else {
          protos[i] = pointer(target, at)
          if (i === 0) importPaths = [...importPaths, posix.dirname(protos[i])]
          left.push({ path, to: protos[i], missing: copied.missing })
        }
      }
      if (r.grpc.importPaths?.length) r.grpc.importPaths = importPaths
    }
    const first = left[0]
    if (first === undefined) return
    const more = left.length > 1 ? ` and ${left.length - 1} more` : ''
    const missing = left.filter((m) => m.missing).length
    const source = copies.source
    lines.push(
      `${where}: file ${JSON.stringify(first.path.slice(0, 120))}${more} not copied (${missing > 0 ? 'not found' : `past the ${copies.limits} an import copies`}): re-pointed to the Bruno collection's file (${JSON.stringify(first.to.slice(0, 160))})` +
        (missing > 0 ? `; ${missing} not found there` : '') +
        (within(target, source)
          ? ''
          : `; it is outside this collection: allow ${source} (Files…; --allow-files) to send it`),
    )
  }
  await visit(plan.children, '')
  plan.files = [...(plan.files ?? []), ...copies.files()]
  plan.unmapped = plan.unmapped
    .filter((l) => !l.includes(RELATIVE_FILES_NOTE) && !l.includes(PROTO_NOT_COPIED_NOTE))
    .concat(lines)
}
