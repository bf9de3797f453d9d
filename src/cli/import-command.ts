import type { CliIo } from './index'
import type { ImportCommand } from './collection-args'

/** `flightdeck import <file> --into <dir>`: filled in with the importers. */
export async function runImport(cmd: ImportCommand, io: CliIo): Promise<number> {
  io.err(`flightdeck: import is not available yet (${cmd.file})\n`)
  return 2
}
