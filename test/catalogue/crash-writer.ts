import { nodeAtomicFs, setAtomicFsForTests } from '../../src/engine/collections/atomic-write'
import { createEngineService } from '../../src/engine/service'

/**
 * Child process for the catalogue's "killed between temp write and rename" case: saves a request through the
 * engine service, but its atomic write stops just before the rename (the test seam), prints the temp file's
 * path and waits there to be SIGKILLed. Usage: crash-writer <collection dir> <request path> <config dir>
 */
const [dir = '', rel = '', configDir = ''] = process.argv.slice(2)

setAtomicFsForTests({
  ...nodeAtomicFs,
  rename: (from) => {
    process.stdout.write(`TEMP ${from}\n`)
    // Keep the process alive until it is killed; the rename never happens.
    setInterval(() => undefined, 1000)
    return new Promise<void>(() => undefined)
  },
})

const service = createEngineService({
  host: 'test',
  configDir,
  persistWorkspace: false,
  watchCollections: false,
})
const opened = await service.invoke('collection.open', { dir })
if (!opened.ok) throw new Error(opened.error.message)
const read = await service.invoke('collection.read', { dir, path: rel })
if (!read.ok) throw new Error(read.error.message)
await service.invoke('collection.save', {
  dir,
  path: rel,
  request: { ...read.value.request, url: 'http://changed-by-the-killed-writer.invalid/' },
  baseVersion: read.value.version,
})
