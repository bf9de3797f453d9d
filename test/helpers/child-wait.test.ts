import { spawn, type ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { CHILD_CASE_TIMEOUT_MS, childExit, childOutput, processCpuMs } from './child-wait'

/** Waits bounded by a child's CPU time: they get there when the child does, and a real hang still fails. */

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

function node(code: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  return child
}

describe('waiting on a child process, bounded by its CPU time', () => {
  it('gets the output the child writes, and its exit', async () => {
    const child = node("process.stdout.write('READY 42\\n'); setTimeout(() => process.exit(3), 100)")
    const m = await childOutput(child, /READY (\d+)\n/)
    expect(m[1]).toBe('42')
    expect(await childExit(child)).toEqual({ code: 3, signal: null })
    // An exit already over when the wait starts is seen too.
    expect(await childExit(child)).toEqual({ code: 3, signal: null })
  })

  it('a child that spins without writing fails once it has spent the CPU time, well before the wall ceiling', async () => {
    const child = node('for (;;) {}')
    await expect(childOutput(child, /READY/, { cpuMs: 300, wallMs: 60_000 })).rejects.toThrow(
      /^the child spent \d+ ms of CPU time \(over 300\) with no output matching \/READY\//,
    )
    await expect(childExit(child, { cpuMs: 300, wallMs: 60_000 })).rejects.toThrow(
      /^the child spent \d+ ms of CPU time \(over 300\) with no exit/,
    )
  })

  it(
    'a child that hangs idle fails on the wall ceiling',
    async () => {
      // Waited for until it is up and idle, saying so on stderr now and then: at load 38 a child took more than the
      // ceiling's 1.5 s just to start, and the wait failed before the child had said anything.
      const child = node(
        "process.stdout.write('up'); const say = () => process.stderr.write('stuck'); setInterval(say, 200)",
      )
      await childOutput(child, /up/)
      await expect(childOutput(child, /READY/, { cpuMs: 15_000, wallMs: 1500 })).rejects.toThrow(
        /^no output matching \/READY\/ from the child in 1500 ms of wall time \(it spent \d+ ms of CPU\); its stderr: (stuck)+$/,
      )
    },
    CHILD_CASE_TIMEOUT_MS,
  )

  it('a child that exits without the output fails at once, with its stderr', async () => {
    const child = node("process.stderr.write('no collection'); process.exit(2)")
    await expect(childOutput(child, /READY/)).rejects.toThrow(
      'the child exited (code 2) before its output matched /READY/; its stderr: no collection',
    )
  })

  it('reads a process’s CPU time from /proc, and none for a process that is gone', async () => {
    const child = node('const end = Date.now() + 400; while (Date.now() < end) {}')
    await childExit(child)
    expect(processCpuMs(process.pid)).toBeGreaterThan(0)
    expect(processCpuMs(child.pid as number)).toBeNull()
  })
})
