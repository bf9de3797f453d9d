import { basename, resolve } from 'node:path'
import type { CollectionHandlerDeps } from '../collections/handlers'
import { inheritedAuth } from '../send-rules/auth-chain'
import { writeFileAtomic } from '../collections/atomic-write'
import { readRequestFile, stemOf } from '../collections/loader'
import type { CollectionManager } from '../collections/manager'
import { absPath, safeRel } from '../collections/store'
import { exportTo } from '../exporters/export-collection'
import { exportPostman, postmanEnvironment } from '../exporters/postman'
import { snippet } from '../exporters/snippets'
import { fail, ok } from '../../shared/result'
import { runImport } from './index'

/** The service's import and export commands, on top of the open collections. */
export function importExportHandlers(
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
        if (p.format !== 'postman') return exportTo(loaded.value, p.format, p.file)
        const { json, skipped } = await exportPostman(loaded.value)
        if (skipped.length > 0) json['_flightdeck_skipped'] = skipped
        const text = `${JSON.stringify(json, null, 2)}\n`
        const environments = loaded.value.info.environments.slice(0, 200).map((env) => ({
          id: env.id,
          name: env.name,
          text: `${JSON.stringify(postmanEnvironment(env), null, 2)}\n`,
        }))
        if (p.file === undefined) return ok({ text, skipped, environments })
        const file = resolve(p.file)
        await writeFileAtomic(file, text)
        // Each environment beside it, as Postman exports them (`<name>.<env>.postman_environment.json`).
        const stem = file.replace(/(\.postman_collection)?\.json$/i, '')
        for (const env of environments)
          await writeFileAtomic(`${stem}.${env.id}.postman_environment.json`, env.text)
        return ok({ text, file, skipped, environments })
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
        )
        return text.ok ? ok({ text: text.value }) : text
      },
    },
  }
}
