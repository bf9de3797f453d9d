import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * scripts/run-parallel.mjs runs npm test's lanes: every command runs even when another fails, a failure is named
 * again at the end, and with `--live` the first command's output comes as it is written while the others' whole
 * outputs wait for its end (vitest's progress is not cut into by a lane that ends meanwhile).
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'fd-run-parallel-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A shell command running a Node one-liner (its text single-quoted for the shell). */
const node = (code: string): string => `node -e '${code}'`

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function runParallel(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/run-parallel.mjs'), ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Each case starts a few Node processes; a loaded two-core runner takes seconds a start. */
const BOUND = 120_000

describe('run-parallel', () => {
  it(
    'holds the other lanes’ output until the live one ends, then prints each whole',
    async () => {
      const marker = join(dir, 'second-done').replaceAll('\\', '/')
      // The live command waits (bounded) for a third command's marker; the third starts only once the second has
      // ended (two lanes), so the second's whole output is ready while the live command still runs.
      const first = node(
        `const fs = require("fs"); console.log("live" + "-start"); const end = Date.now() + 100000; ` +
          `while (!fs.existsSync("${marker}") && Date.now() < end) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); ` +
          `console.log("live" + "-end")`,
      )
      const second = node('console.log("held" + "-output")')
      const third = node(`require("fs").writeFileSync("${marker}", "")`)
      const run = await runParallel('--live', '--jobs', '2', '--', first, second, third)
      expect(run.code).toBe(0)
      const at = (text: string): number => run.stdout.indexOf(text)
      expect(at('live-start')).toBeGreaterThan(-1)
      expect(at('live-end')).toBeGreaterThan(at('live-start'))
      expect(at(`── ${second}: passed`)).toBeGreaterThan(at('live-end'))
      expect(at('held-output')).toBeGreaterThan(at(`── ${second}: passed`))
    },
    BOUND,
  )

  it(
    'runs every command when one fails, names the failure at the end and exits 1',
    async () => {
      const run = await runParallel(
        '--jobs',
        '1',
        '--',
        node('process.exit(3)'),
        node('console.log("still" + " ran")'),
      )
      expect(run.code).toBe(1)
      expect(run.stdout).toContain('FAILED (exit 3)')
      expect(run.stdout).toContain('still ran')
      expect(run.stderr).toContain(`FAILED: ${node('process.exit(3)')} (output above)`)
    },
    BOUND,
  )

  it(
    'refuses an unknown option or a missing command with its usage',
    async () => {
      expect((await runParallel('--fast', '--', 'true')).code).toBe(2)
      expect((await runParallel('--jobs', '0', '--', 'true')).stderr).toMatch(/^usage: /)
      expect((await runParallel('--')).code).toBe(2)
    },
    BOUND,
  )
})
