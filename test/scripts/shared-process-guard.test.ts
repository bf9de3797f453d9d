import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { processTempDir } from '../../src/engine/temp-files'
import {
  grownResources,
  processResources,
  resourcesToSettle,
  runExitListenersSince,
} from '../setup/process-resources'

/**
 * What test/setup/fresh-modules.ts does at the end of each file in a shared worker process: a server left open is
 * named (the file then fails), one closed is not; the engine's `exit` clean-up runs when the file ends, as it would
 * when the file's own process ended, instead of piling up (the eleventh raised MaxListenersExceededWarning).
 */

describe('the shared worker process guard', () => {
  it('names a server left listening, and nothing once it is closed', async () => {
    const before = processResources()
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    expect(grownResources(before, processResources())).toEqual(['TCPServerWrap +1'])
    server.close()
    expect(grownResources(before, await resourcesToSettle(before))).toEqual([])
  })

  it('runs the exit clean-up the file’s engine added, once, and leaves no listener behind', () => {
    const before = new Set(process.rawListeners('exit'))
    const count = process.listenerCount('exit')
    const dir = processTempDir()
    expect(existsSync(dir)).toBe(true)
    expect(process.listenerCount('exit')).toBe(count + 1)
    expect(runExitListenersSince(before)).toBe(1)
    expect(existsSync(dir)).toBe(false)
    expect(process.listenerCount('exit')).toBe(count)
  })
})
