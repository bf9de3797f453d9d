import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { nodeAtomicFs, setAtomicFsForTests } from '../../../src/engine/collections/atomic-write'
import { createEngineService } from '../../../src/engine/service'

/**
 * Child process: opens (creates) <count> collections at once, with every rename onto workspace.json held so
 * that the writes in flight stay visible; prints HELD for each held rename and waits to be SIGKILLed.
 * Usage: open-many-child <config dir> <count>
 */
const [configDir = '', count = '6'] = process.argv.slice(2)

setAtomicFsForTests({
  ...nodeAtomicFs,
  rename: (from, to) => {
    if (basename(to) !== 'workspace.json') return nodeAtomicFs.rename(from, to)
    process.stdout.write('HELD\n')
    setInterval(() => undefined, 1000)
    return new Promise<void>(() => undefined)
  },
})

const service = createEngineService({ host: 'test', configDir, watchCollections: false })
const root = mkdtempSync(join(tmpdir(), 'fd-open-many-'))
await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    service.invoke('collection.open', { dir: join(root, `c${i}`), create: true, name: `C${i}` }),
  ),
)
