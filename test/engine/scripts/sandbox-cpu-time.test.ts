import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * A script's CPU limit counts the work it does, not the time its process waited for a core: the child runs a
 * counting script of well under a second of CPU under a 4 s limit, and is stopped (SIGSTOP) for 5 s while the
 * script runs, as a loaded machine's scheduler would keep it waiting. The script finishes, passes its test and
 * is charged its own time. When the limit was read off the wall clock, the stop ended it as "CPU time over 4 s".
 */

const child = fileURLToPath(new URL('../../fixtures/scripts/sandbox-paused-child.ts', import.meta.url))
const COUNT = 2_000_000
const LIMIT_MS = 4000
const STOPPED_MS = 5000

interface Outcome {
  failure: string | null
  tests: { name: string; passed: boolean }[]
  cpuMs: number
  wallMs: number
}

function runStopped(): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // Node itself, with tsx as a loader (the tsx command is a wrapper process, and a stop must reach the script's).
    const p = spawn(process.execPath, ['--import', 'tsx', child, String(COUNT), String(LIMIT_MS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let stopped = false
    const killer = setTimeout(() => p.kill('SIGKILL'), 120_000)
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      if (!stopped && out.includes('ready\n')) {
        stopped = true
        // A moment for the script to be inside its loop, then the stop.
        setTimeout(() => {
          p.kill('SIGSTOP')
          setTimeout(() => p.kill('SIGCONT'), STOPPED_MS)
        }, 50)
      }
    })
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    p.once('error', reject)
    p.once('close', (code) => {
      clearTimeout(killer)
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (code !== 0 || line === undefined) reject(new Error(`child exited ${code}: ${err}${out}`))
      else resolve(JSON.parse(line) as Outcome)
    })
  })
}

describe('the script CPU limit', () => {
  it('does not count the time the process was stopped', { timeout: 150_000 }, async () => {
    const outcome = await runStopped()
    // The stop landed inside the script (else this run proves nothing).
    expect(outcome.wallMs).toBeGreaterThan(STOPPED_MS)
    expect(outcome.failure).toBeNull()
    expect(outcome.tests).toEqual([{ name: 'counted', passed: true }])
    expect(outcome.cpuMs).toBeLessThan(LIMIT_MS)
  })
})
