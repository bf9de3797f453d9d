import { mkdir, readdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { writeFileAtomic } from '../collections/atomic-write'
import type { LoadedCollection } from '../collections/loader'
import { exportBruno } from './bruno'
import { exportInsomnia } from './insomnia'

/**
 * Export a collection to Insomnia v5 (one YAML file) or to a Bruno collection folder. Each says what it did
 * not carry over (`skipped`), so the export dialog can list it. A Bruno folder is written only into a folder
 * that is new or empty: an export never mixes its files into someone's other files.
 */

export interface ExportOutcome {
  text: string
  file?: string
  skipped: string[]
}

const MAX_FILES = 20_000

export async function exportTo(
  loaded: LoadedCollection,
  format: 'insomnia' | 'bruno',
  file: string | undefined,
): Promise<Result<ExportOutcome>> {
  if (format === 'insomnia') {
    const { text, skipped } = await exportInsomnia(loaded)
    if (file === undefined) return ok({ text, skipped })
    const abs = resolve(file)
    await writeFileAtomic(abs, text)
    return ok({ text, file: abs, skipped })
  }
  if (file === undefined)
    return fail('invalid_request', 'A Bruno export is a folder of files: choose the folder to write it into')
  const root = resolve(file)
  const present = await readdir(root).catch(() => null)
  if (present !== null && present.length > 0)
    return fail(
      'invalid_request',
      `${root} is not empty: choose a new or empty folder for the Bruno collection (nothing was written)`,
    )
  const { files, skipped } = await exportBruno(loaded)
  if (files.size > MAX_FILES)
    return fail(
      'too_large',
      `The export would write ${files.size} files, more than ${MAX_FILES}; nothing was written`,
    )
  for (const [rel, text] of files) {
    const abs = join(root, ...rel.split('/'))
    await mkdir(dirname(abs), { recursive: true })
    await writeFileAtomic(abs, text)
  }
  const text = `${[...files.keys()].join('\n')}\n`
  return ok({ text, file: root, skipped })
}
