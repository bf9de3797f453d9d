import { toRequestSpec } from '../composer/composer-draft'
import type { StateCreator } from 'zustand/vanilla'
import type { ExportFormat, ImportFormat, ImportReport, SnippetTarget } from '../../shared/collection-schemas'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { activeSavedGraphql } from '../graphql/graphql-slice'
import { selectActiveDraft } from '../tabs/active-draft'
import { withSavedOptions } from '../tabs/saved-options'

/** Import (a file path or pasted text such as a curl command) and export (Postman, curl and code snippets). */
export interface ImportExportSlice {
  importReport: ImportReport | null
  importError: string | null
  importing: boolean
  /** `source` is pasted text, or a path when `isPath`. `into` is a collection folder (open or new). */
  runImport(source: string, isPath: boolean, format: ImportFormat, into: string): Promise<boolean>
  dismissImportReport(): void
  /**
   * Export a collection; `file` is where to write it (a Bruno export is a folder and needs one). What the
   * export left out stays in `exportResult` for the export dialog to list.
   */
  exportCollection(dir: string, format?: ExportFormat, file?: string): Promise<string | null>
  exportResult: ExportResult | null
  exportError: string | null
  dismissExport(): void
  snippetFor(target: SnippetTarget): Promise<{ text: string } | { error: string }>
}

/** The last export: what was written, and each file or part it did not carry over, with why. */
export interface ExportResult {
  dir: string
  format: ExportFormat
  file?: string
  skipped: string[]
  /** Postman: the collection's environments as Postman environment files (downloaded beside it). */
  environments?: { id: string; name: string; text: string }[]
}

export function createImportExportSlice(
  client: ApiClient,
): StateCreator<AppState, [], [], ImportExportSlice> {
  return (set, get) => ({
    importReport: null,
    importError: null,
    importing: false,
    exportResult: null,
    exportError: null,

    runImport: async (source, isPath, format, into) => {
      set({ importing: true, importError: null, importReport: null })
      const payload = isPath ? { format, file: source, into } : { format, text: source, into }
      const res = await client.invoke('import.run', payload)
      if (!res.ok) {
        set({ importing: false, importError: res.error.message })
        return false
      }
      set({ importing: false, importReport: res.value })
      await get().loadCollections()
      get().setActiveDir(res.value.dir)
      get().revealCollection(res.value.dir)
      if (res.value.path !== undefined) await get().openRequest(res.value.dir, res.value.path)
      return true
    },

    dismissImportReport: () => set({ importReport: null, importError: null }),

    exportCollection: async (dir, format = 'postman', file) => {
      set({ exportResult: null, exportError: null })
      const res = await client.invoke(
        'export.collection',
        file === undefined ? { dir, format } : { dir, format, file },
      )
      if (!res.ok) {
        set({ exportError: res.error.message })
        return null
      }
      const result: ExportResult = { dir, format, skipped: res.value.skipped ?? [] }
      if (res.value.file !== undefined) result.file = res.value.file
      if (res.value.environments && res.value.environments.length > 0)
        result.environments = res.value.environments
      set({ exportResult: result })
      return res.value.text
    },

    dismissExport: () => set({ exportResult: null, exportError: null }),

    snippetFor: async (target) => {
      // The composer's request as it stands, saved or not, with its collection's variables and inherited auth.
      const s = get()
      const draft = selectActiveDraft(s)
      const res = await client.invoke('draft.snippet', {
        // With the file's options the composer does not edit (omitDefaultHeaders, …), as Send sends it.
        request: withSavedOptions(toRequestSpec(draft), s),
        ...s.sendScope(),
        target,
        ...(draft.kind === 'graphql' ? { graphql: activeSavedGraphql(s) } : {}),
      })
      return res.ok ? { text: res.value.text } : { error: res.error.message }
    },
  })
}
