import { join } from 'node:path'
import { userConfigDir } from '../engine/config-dir'
import { runImport as importInto } from '../engine/importers/index'
import { FileSecretStore } from '../engine/secrets/secret-store'
import { IMPORT_FORMATS, type ImportFormat } from '../shared/collection-schemas'
import type { ImportCommand } from './collection-args'
import type { CliIo } from './index'

/**
 * `flightdeck import <file> --into <dir>`: detect the format, write the collection folder, print the import
 * report. Exit 0 when it imported, 2 with one line when the file cannot be read or is not an export.
 */
export async function runImport(cmd: ImportCommand, io: CliIo): Promise<number> {
  if (!(IMPORT_FORMATS as readonly string[]).includes(cmd.format)) {
    io.err(`flightdeck: --format must be one of ${IMPORT_FORMATS.join(', ')}\n`)
    return 2
  }
  const secrets = new FileSecretStore(join(userConfigDir(), 'secrets.json'))
  const result = await importInto({ file: cmd.file }, cmd.format as ImportFormat, cmd.into, secrets)
  if (!result.ok) {
    io.err(`flightdeck: cannot import ${cmd.file}: ${result.error.message}\n`)
    return 2
  }
  const r = result.value
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`
  io.out(
    `Imported ${r.format}: ${plural(r.requests, 'request')} in ${plural(r.folders, 'folder')}, ${plural(r.environments, 'environment')} -> ${r.dir}\n`,
  )
  if (r.unmapped.length === 0) io.out('Everything was mapped.\n')
  else {
    io.out(`Not mapped (${r.unmapped.length}):\n`)
    for (const line of r.unmapped) io.out(`  - ${line}\n`)
  }
  return 0
}
