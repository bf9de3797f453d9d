import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { processTempDir } from '../../src/engine/temp-files'
import {
  grownResources,
  processResources,
  resourcesToSettle,
  runExitListenersSince,
  watchOwnTimers,
} from '../setup/process-resources'

/**
 * What test/setup/fresh-modules.ts does at the end of each file in a shared worker process: a server left open is
 * named (the file then fails), one closed is not; the engine's `exit` clean-up runs when the file ends, as it would
 * when the file's own process ended, instead of piling up (the eleventh raised MaxListenersExceededWarning); the
 * timers counted are the file's own, so one it leaves is named even when an earlier file's timer runs out meanwhile.
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

  it('counts the timers the file made and left, which an earlier file’s timer running out does not hide', async () => {
    let earlierRan = (): void => {}
    const ranOut = new Promise<void>((resolve) => (earlierRan = resolve))
    setTimeout(() => earlierRan(), 20) // made before the file started: an earlier file's
    const own = watchOwnTimers()
    try {
      const before = processResources(own)
      const left = setTimeout(() => {}, 60_000)
      const repeating = setInterval(() => {}, 60_000)
      setTimeout(() => {}, 60_000).unref() // keeps nothing alive: not counted
      await ranOut
      expect(grownResources(before, processResources(own))).toEqual(['Timeout +2'])
      clearTimeout(left)
      clearInterval(repeating)
      expect(grownResources(before, processResources(own))).toEqual([])
      const ran = await new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 1))
      expect(ran && grownResources(before, processResources(own))).toEqual([])
    } finally {
      own.stop()
    }
  })
})
