import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { CHILD_CASE_TIMEOUT_MS, childExit, childOutput } from './child-wait'
import { watchOwnTime } from './own-time'

/**
 * A stopwatch that leaves out a process's waits for a core: a program that stops at once reads short however
 * crowded its core is, and one that lets time pass (a timer) reads that time.
 */

const SCHEDSTAT = existsSync('/proc/self/schedstat') && existsSync('/usr/bin/taskset')
const children: ChildProcess[] = []
afterEach(async () => {
  await Promise.all(
    children.splice(0).map((c) => {
      if (c.exitCode !== null || c.signalCode !== null) return undefined
      c.kill('SIGKILL')
      return new Promise((r) => c.once('close', r))
    }),
  )
})

/** `command` on core 0 only, where the test crowds it. */
function onCoreZero(command: string, args: string[]): ChildProcess {
  const child = spawn('taskset', ['-c', '0', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  return child
}

/** Signals the child (up and waiting), and reads the stopwatch from then until it has gone. */
async function stoppedBySignal(child: ChildProcess): Promise<{ wallMs: number; ownMs: number }> {
  const pid = child.pid ?? 0
  const started = Date.now()
  const watch = watchOwnTime(pid)
  const sampler = setInterval(() => watch.sample(), 20)
  child.kill('SIGINT')
  await childExit(child).finally(() => clearInterval(sampler))
  return { wallMs: Date.now() - started, ownMs: watch.ownMs() }
}

describe.skipIf(!SCHEDSTAT)('the time a process took, less its waits for a core', () => {
  it(
    'leaves out the time the process waited behind others on its core',
    async () => {
      // 60 ms of CPU after the signal, on a core a spinning shell shares with it: wall time is at least twice that.
      const child = onCoreZero(process.execPath, [
        '-e',
        "process.addListener('SIGINT', () => { const end = process.cpuUsage().user + 60_000; while (process.cpuUsage().user < end); process.exit(130) }); process.stdout.write('up'); setInterval(() => {}, 1000)",
      ])
      await childOutput(child, /up/)
      onCoreZero('sh', ['-c', 'while :; do :; done'])
      const { wallMs, ownMs } = await stoppedBySignal(child)
      expect(ownMs).toBeGreaterThanOrEqual(50)
      expect(ownMs).toBeLessThan(wallMs * 0.75)
    },
    CHILD_CASE_TIMEOUT_MS,
  )

  it(
    'counts the time the process let pass on a timer',
    async () => {
      const child = onCoreZero(process.execPath, [
        '-e',
        "process.addListener('SIGINT', () => setTimeout(() => process.exit(130), 500)); process.stdout.write('up'); setInterval(() => {}, 1000)",
      ])
      await childOutput(child, /up/)
      const { ownMs } = await stoppedBySignal(child)
      expect(ownMs).toBeGreaterThanOrEqual(450)
    },
    CHILD_CASE_TIMEOUT_MS,
  )
})
