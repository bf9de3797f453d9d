import { describe, expect, it } from 'vitest'
import { until } from './engine-client'

/**
 * The renderer tests' `until` fails on the work spent waiting (this process's CPU time), not on the wall time a
 * loaded machine adds while the process waits for a core: a process that is not running spends no CPU, as one
 * waiting on a timer does here.
 */

describe('until', () => {
  it('waits out a condition that comes true after more wall time than its bound, the process idle meanwhile', async () => {
    let arrived = false
    setTimeout(() => (arrived = true), 300)
    await expect(until(() => arrived, 150)).resolves.toBeUndefined()
  })

  it('fails once the process has spent its bound of CPU time and the condition still does not hold', async () => {
    let checks = 0
    // 200 ms of CPU at the first check: over the bound whatever the wall time it takes on a loaded machine.
    const busy = (): boolean => {
      const used = (): number => process.cpuUsage().user + process.cpuUsage().system
      const end = used() + 200_000
      let sum = 0
      for (let round = 0; round < 1e6 && used() < end; round++) for (let i = 0; i < 1e5; i++) sum += i
      expect(sum).toBeGreaterThan(0)
      checks++
      return false
    }
    await expect(until(busy, 150)).rejects.toThrow('150 ms of CPU time')
    expect(checks).toBe(1)
  })

  it('fails when nothing happens, idle, after four times its bound', async () => {
    await expect(until(() => false, 50)).rejects.toThrow('nothing happened in 200 ms')
  })
})
