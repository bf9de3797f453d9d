import { randomUUID } from 'node:crypto'
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { deferDurability, syncDir, writeFileAtomic } from '../collections/atomic-write'
import type { LoadedCollection } from '../collections/loader'
import { sharedPool, TaskFailed, WorkerDied, type WorkerPool } from '../workers/pool'
import { MAX_EXPORT_FILES, type ExportBuilt, type ExportFormat } from './export-build'
import { makeFolder } from '../files/make-folder'
import { copyRequestFiles } from './bruno-files'
import { groupDigits } from '../../shared/group-digits'

/**
 * Export a collection to Postman v2.1 (one JSON file, each environment beside it), Insomnia v5 (one YAML file)
 * or a Bruno collection folder. Each says what it did not carry over (`skipped`), so the export dialog can list
 * it. The export is built in the worker pool (export-build.ts) and only written here, so a huge or hostile
 * collection breaks a worker, never the thread that carries traffic, and then nothing is written. A Bruno
 * folder is written only into a folder that is new or empty: an export never mixes its files into someone's
 * other files.
 */

export interface ExportOutcome {
  text: string
  file?: string
  skipped: string[]
  environments?: { id: string; name: string; text: string }[]
}

const FORMAT_NAMES: Record<ExportFormat, string> = {
  postman: 'Postman',
  insomnia: 'Insomnia',
  bruno: 'Bruno',
}

export async function exportTo(
  loaded: LoadedCollection,
  format: ExportFormat,
  file: string | undefined,
  pool: WorkerPool = sharedPool(),
): Promise<Result<ExportOutcome>> {
  if (format === 'bruno') {
    if (file === undefined)
      return fail(
        'invalid_request',
        'A Bruno export is a folder of files: choose the folder to write it into',
      )
    const present = await readdir(resolve(file)).catch(() => null)
    if (present !== null && present.length > 0)
      return fail(
        'invalid_request',
        `${resolve(file)} is not empty: choose a new or empty folder for the Bruno collection (nothing was written)`,
      )
  }
  const built = await buildInWorker(loaded, format, pool)
  if (!built.ok) return built
  const b = built.value
  if (file === undefined && b.format !== 'bruno')
    return ok(
      b.format === 'postman'
        ? { text: b.text, skipped: b.skipped, environments: b.environments }
        : { text: b.text, skipped: b.skipped },
    )
  const abs = resolve(file ?? '.')
  try {
    return b.format === 'bruno' ? await writeBruno(b, abs) : await writeFiles(b, abs)
  } catch (e) {
    // A folder that cannot be made or a file that cannot be written (no space, no access, /proc): said in the
    // filesystem's words, as a `file` error, not an internal one.
    const code = (e as NodeJS.ErrnoException | null)?.code
    if (typeof code !== 'string') throw e
    return fail(
      'file',
      `Could not write the ${FORMAT_NAMES[format]} export to ${abs}: ${(e as Error).message}`,
    )
  }
}

async function writeFiles(
  b: Exclude<ExportBuilt, { format: 'bruno' }>,
  abs: string,
): Promise<Result<ExportOutcome>> {
  await writeFileAtomic(abs, b.text)
  if (b.format === 'insomnia') return ok({ text: b.text, file: abs, skipped: b.skipped })
  // Each environment beside it, as Postman exports them (`<name>.<env>.postman_environment.json`).
  const stem = abs.replace(/(\.postman_collection)?\.json$/i, '')
  for (const env of b.environments)
    await writeFileAtomic(`${stem}.${env.id}.postman_environment.json`, env.text)
  return ok({ text: b.text, file: abs, skipped: b.skipped, environments: b.environments })
}

async function buildInWorker(
  loaded: LoadedCollection,
  format: ExportFormat,
  pool: WorkerPool,
): Promise<Result<ExportBuilt>> {
  const { info, settings, folders } = loaded
  try {
    return ok(await pool.run('export.build', { collection: { info, settings, folders }, format }))
  } catch (e) {
    const what = `Exporting ${info.name} to ${FORMAT_NAMES[format]}`
    if (e instanceof WorkerDied)
      return e.reason === 'memory'
        ? fail(
            'too_large',
            `${what} ran out of memory in its worker (limit ${e.limitMb} MB); nothing was written`,
          )
        : e.reason === 'timeout'
          ? fail(
              'too_large',
              `${what} took longer than ${Math.round(e.timeoutMs / 1000)} s in its worker and was stopped; nothing was written`,
            )
          : fail('internal', `${what} stopped its worker (${e.message}); nothing was written`)
    if (e instanceof TaskFailed) return fail('internal', `${what} failed: ${e.message}; nothing was written`)
    throw e
  }
}

async function writeBruno(
  b: Extract<ExportBuilt, { format: 'bruno' }>,
  root: string,
): Promise<Result<ExportOutcome>> {
  if (b.fileCount > MAX_EXPORT_FILES)
    return fail(
      'too_large',
      `The export would write ${groupDigits(b.fileCount)} files, more than ${groupDigits(MAX_EXPORT_FILES)}; nothing was written`,
    )
  // Written whole into a new folder beside the target, then renamed into place (the target is missing or empty,
  // and a rename never replaces a folder that has files): an export that fails part-way (no space, a path too
  // long) leaves nothing of itself, and never a file of someone's overwritten.
  await makeFolder(dirname(root))
  // Made as a folder of the user's is (mkdtemp's would be private, 0700), under a name no one else chose.
  const staging = `${root}.export-${randomUUID().slice(0, 8)}`
  await mkdir(staging)
  // The staging folder is thrown away if anything fails, so its files are made durable together just before it
  // moves into place, not one by one: two fsyncs a file made a 5,000-request export wait ~20 s on the disk.
  const durability = deferDurability(staging)
  try {
    await writeStaged(staging, b.files)
    await copyRequestFiles(b.copies, staging)
    await durability.flush()
    await rename(staging, root)
    await syncDir(dirname(root))
  } catch (e) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined)
    throw e
  } finally {
    durability.end()
  }
  const text = `${[...b.files.map(([rel]) => rel), ...b.copies.map((c) => c.rel)].join('\n')}\n`
  return ok({ text, file: root, skipped: b.skipped })
}

/** Files written at once into the staging folder (the file system's thread pool works on several together). */
const WRITES_IN_FLIGHT = 8

/** Write `files` below `staging`: each folder made once (parents first), then the files, a few at a time. */
async function writeStaged(staging: string, files: readonly (readonly [string, string])[]): Promise<void> {
  const folders = [...new Set(files.map(([rel]) => dirname(join(staging, ...rel.split('/')))))]
  // A parent's path is a prefix of its children's, so it sorts first.
  folders.sort()
  for (const folder of folders) await makeFolder(folder)
  let next = 0
  let failed = false
  const writer = async (): Promise<void> => {
    while (!failed && next < files.length) {
      const [rel, text] = files[next++] as readonly [string, string]
      try {
        await writeFileAtomic(join(staging, ...rel.split('/')), text)
      } catch (e) {
        failed = true
        throw e
      }
    }
  }
  // Every writer has stopped before a failure is thrown, so removing the staging folder races no write.
  const settled = await Promise.allSettled(
    Array.from({ length: Math.min(WRITES_IN_FLIGHT, files.length) }, writer),
  )
  const failure = settled.find((s) => s.status === 'rejected')
  if (failure) throw failure.reason
}
