import type { CollectionHandlerDeps } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'
import type { importExportCommands } from './import-export-commands'

type ImportExport = ReturnType<typeof importExportCommands>

/**
 * The service's import and export commands, whose code (every format's importer and exporter, the snippet
 * writers: a fifth of the engine's modules) is imported on the first import or export, not with the engine:
 * most sessions import nothing, and neither do most tests that build an engine, which paid for loading them.
 * A failed load is tried again on the next command.
 */
export function importExportHandlers(manager: CollectionManager): ImportExport {
  let loading: Promise<ImportExport> | undefined
  const commands = (): Promise<ImportExport> =>
    (loading ??= import('./import-export-commands').then(
      (m) => m.importExportCommands(manager),
      (e: unknown) => {
        loading = undefined
        throw e
      },
    ))
  return {
    importer: async (p) => (await commands()).importer(p),
    exporter: {
      collection: async (p) => (await commands()).exporter.collection(p),
      request: async (p) => (await commands()).exporter.request(p),
    },
  } satisfies Required<Pick<CollectionHandlerDeps, 'importer' | 'exporter'>>
}
