import { runImport } from '../../src/engine/importers/index'

/**
 * Child process for the "file too large for the system" import case: runs one import and prints its result as
 * JSON. The test starts it under `ulimit -f`, so a real write fails part-way (EFBIG) with no test seam.
 * Usage: import-atomic-child <file> <into>
 */
const [file = '', into = ''] = process.argv.slice(2)
const r = await runImport({ file }, 'auto', into, null)
process.stdout.write(`${JSON.stringify(r)}\n`)
process.exit(0)
