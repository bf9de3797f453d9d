import { basename } from 'node:path'
import { collectionFileScope, type CollectionHandlerDeps } from '../collections/handlers'
import { inheritedAuth } from '../send-rules/auth-chain'
import { readRequestFile, stemOf } from '../collections/loader'
import type { CollectionManager } from '../collections/manager'
import { absPath, safeRel } from '../collections/store'
import { exportTo } from '../exporters/export-collection'
import { snippet } from '../exporters/snippets'
import { fail, ok } from '../../shared/result'
import { runImport } from './index'

/** The service's import and export commands, on top of the open collections (loaded by import-export.ts). */
export function importExportCommands(
  manager: CollectionManager,
): Required<Pick<CollectionHandlerDeps, 'importer' | 'exporter'>> {
  return {
    importer: async (p) => {
      const source = p.text !== undefined ? { text: p.text } : p.file !== undefined ? { file: p.file } : {}
      if (p.folder !== undefined && safeRel(p.folder) === null)
        return fail('invalid_request', 'Not a folder inside the collection')
      const report = await runImport(source, p.format, p.into, manager.secrets, p.folder)
      if (!report.ok) return report
      if (manager.get(report.value.dir)) await manager.rescan(report.value.dir)
      else await manager.openDir(report.value.dir, false)
      return report
    },
    exporter: {
      collection: async (p) => {
        const loaded = manager.loaded(p.dir)
        if (!loaded.ok) return loaded
        return exportTo(loaded.value, p.format, p.file)
      },
      request: async (p) => {
        const loaded = manager.loaded(p.dir)
        if (!loaded.ok) return loaded
        if (safeRel(p.path) === null) return fail('invalid_request', 'Not a path inside the collection')
        const r = await readRequestFile(
          absPath(loaded.value.info.dir, p.path),
          stemOf(basename(p.path)),
        ).catch(() => null)
        if (!r) return fail('not_found', `${p.path} no longer exists`)
        if (!r.ok) return fail('parse', `${p.path} line ${r.line}: ${r.problem}`)
        const context =
          p.env === undefined ? { dir: p.dir, path: p.path } : { dir: p.dir, path: p.path, env: p.env }
        const vars = await manager.scope(context, false)
        if (!vars.ok) return vars
        const { info } = loaded.value
        const text = await snippet(
          r.request,
          inheritedAuth(info, p.path, r.request.auth),
          vars.value,
          p.target,
          collectionFileScope(manager, context),
        )
        return text.ok ? ok({ text: text.value }) : text
      },
    },
  }
}
