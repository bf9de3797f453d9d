import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runTool, ToolFailed } from '../setup/hang-guard'

/**
 * runTool's promise: a tool a test starts does not outlive the test, nor what the tool started itself (`sh -c` and
 * its children), whether the test passed, failed or timed out (vitest runs onTestFinished in every case), and a
 * tool that hangs is killed at its wall bound.
 */

const dir = mkdtempSync(join(tmpdir(), 'fd-hang-guard-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A shell that starts a grandchild sleeping 30 s, writes both pids to `file`, and waits. */
const sleeper = (file: string): string[] => ['-c', `sleep 30 & echo "$$ $!" > ${file}; wait`]

/** Running, or stopped: not gone, and not a zombie waiting for the machine's init to reap it (it no longer runs). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

async function pidsIn(file: string): Promise<number[]> {
  for (let i = 0; i < 400; i++) {
    try {
      const pids = readFileSync(file, 'utf8').trim().split(' ').map(Number)
      if (pids.length === 2 && pids.every((p) => p > 0)) return pids
    } catch {
      // Not written yet.
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no pids in ${file}`)
}

describe('runTool', () => {
  const left = join(dir, 'left.txt')
  let started: number[] = []

  it('a tool still running when its test ends is started (a shell and the sleep it started)', async () => {
    void runTool('sh', sleeper(left)).catch(() => undefined)
    started = await pidsIn(left)
    expect(started.every(alive)).toBe(true)
  })

  it('is gone with what it started once that test has ended', () => {
    expect(started).toHaveLength(2)
    expect(started.filter(alive)).toEqual([])
    const children = process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap')
    expect(children).toEqual([])
  })

  it('kills a tool that outlasts its wall bound, with what it started, and says so', async () => {
    const file = join(dir, 'bound.txt')
    const run = runTool('sh', sleeper(file), { wallMs: 300 })
    const pids = await pidsIn(file)
    const failed = await run.then(
      () => null,
      (e: unknown) => e,
    )
    expect(failed).toBeInstanceOf(ToolFailed)
    expect((failed as Error).message).toMatch(/^sh -c .* killed by SIGKILL/)
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20))
    expect(pids.filter(alive)).toEqual([])
  })

  it('resolves with what the tool wrote', async () => {
    expect(await runTool('sh', ['-c', 'printf out; printf err >&2'])).toEqual({
      stdout: 'out',
      stderr: 'err',
    })
  })
})
