import type { LoadedCollection } from '../collections/loader'
import { exportBruno } from './bruno'
import type { BrunoFileCopy } from './bruno-files'
import { hasControls, withoutControls } from './bruno-holdable'
import { distinctEnvironmentStems } from './export-env-names'
import { exportInsomnia } from './insomnia'
import { exportPostman, postmanEnvironment } from './postman'

/**
 * A collection export built as text, with nothing written: this runs in the worker pool (workers/export-tasks.ts),
 * since a collection of thousands of requests is seconds of parsing and megabytes of strings. The engine's thread
 * writes what comes back (export-collection.ts).
 */

export type ExportFormat = 'postman' | 'insomnia' | 'bruno'

/** Files one Bruno export writes, at most. */
export const MAX_EXPORT_FILES = 20_000
/** Postman environment files written beside one collection, at most. */
export const MAX_EXPORT_ENVIRONMENTS = 200

export type ExportBuilt =
  | {
      format: 'postman'
      text: string
      skipped: string[]
      environments: { id: string; name: string; text: string }[]
    }
  | { format: 'insomnia'; text: string; skipped: string[] }
  /**
   * `files` is left empty when there are more than MAX_EXPORT_FILES (`fileCount` says how many); `copies` are the
   * files the requests send, copied in beside them.
   */
  | {
      format: 'bruno'
      files: [string, string][]
      copies: BrunoFileCopy[]
      fileCount: number
      skipped: string[]
    }

/** What an export needs of a loaded collection: plain data, as sent to a worker. */
export type ExportSource = Pick<LoadedCollection, 'info' | 'settings' | 'folders'>

export async function buildExport(source: ExportSource, format: ExportFormat): Promise<ExportBuilt> {
  const loaded: LoadedCollection = { ...source, temps: [] }
  if (format === 'insomnia') return { format, ...(await exportInsomnia(loaded)) }
  if (format === 'bruno') {
    const { files, copies, skipped } = await exportBruno(loaded)
    // Past the limit nothing is written, so nothing is sent back either.
    const list = files.size > MAX_EXPORT_FILES ? [] : [...files]
    return { format, files: list, copies, fileCount: files.size + copies.length, skipped }
  }
  const { json, skipped } = await exportPostman(loaded)
  const all = loaded.info.environments
  if (all.length > MAX_EXPORT_ENVIRONMENTS)
    skipped.push(
      `${all.length - MAX_EXPORT_ENVIRONMENTS} of ${all.length} environments not exported (more than ${MAX_EXPORT_ENVIRONMENTS})`,
    )
  const kept = all.slice(0, MAX_EXPORT_ENVIRONMENTS)
  // Each is written as `<collection>.<id>.postman_environment.json`, its control characters as `%0A` (as the
  // Bruno export writes them): two asking for one name get two files.
  const shown = (i: number): string => `environment ${JSON.stringify(kept[i]?.name ?? '')}`
  const file = (id: string): string => `<collection>.${id}.postman_environment.json`
  const ids = distinctEnvironmentStems(
    kept.map((e) => withoutControls(e.id)),
    shown,
    file,
    skipped,
  )
  kept.forEach((env, i) => {
    const id = ids[i]
    if (id !== undefined && id === withoutControls(env.id) && hasControls(env.id))
      skipped.push(
        `${shown(i)}: exported as ${file(id)}: its name holds a line break or another control character, which a file name cannot hold on every disk and which would make a list of files ambiguous`,
      )
  })
  if (skipped.length > 0) json['_flightdeck_skipped'] = skipped
  const environments = kept.map((env, i) => ({
    id: ids[i] ?? env.id,
    name: env.name,
    text: `${JSON.stringify(postmanEnvironment(env), null, 2)}\n`,
  }))
  return { format, text: `${JSON.stringify(json, null, 2)}\n`, skipped, environments }
}
