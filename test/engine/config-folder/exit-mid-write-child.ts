import { join } from 'node:path'
import {
  nodeAtomicFs,
  setAtomicFsForTests,
  writeFileAtomic,
} from '../../../src/engine/collections/atomic-write'

/**
 * Child process: writes <config dir>/workspace.json atomically, and exits (process.exit, as the CLI does after
 * its output) at the moment the temp file is written and about to be renamed. Usage: exit-mid-write-child <dir>
 */
const [configDir = ''] = process.argv.slice(2)

setAtomicFsForTests({
  ...nodeAtomicFs,
  rename: () => {
    process.exit(0)
  },
})

await writeFileAtomic(join(configDir, 'workspace.json'), '{"open":[],"recent":[],"env":{}}\n')
