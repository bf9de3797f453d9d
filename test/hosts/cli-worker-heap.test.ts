import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * A hostile import must end in an error, never abort the app. A 60 MB file of tiny arrays is about 800 MB once
 * parsed: in a worker whose V8 heap limit was its 512 MB budget, V8 aborted the whole process ("FATAL ERROR:
 * Reached heap limit", exit 134) instead of ending only the worker. Run through the built CLI in its own
 * process (npm test builds first), since an abort is what is being looked for. Costs about 15 s and 1.7 GB.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))

function builtCli(configDir: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const entry = join(root, 'out/cli/index.js')
  const script = `const m = await import(${JSON.stringify(entry)}); process.exitCode = await m.runCli(${JSON.stringify(args)})`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: configDir },
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe("an import whose parse outgrows the worker's budget", () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-worker-heap-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('ends with an error and nothing written; the process is not aborted', async () => {
    const file = join(dir, 'tiny-arrays.json')
    writeFileSync(file, '[' + '[],'.repeat(20_000_000) + '[]]')
    const into = join(dir, 'out')
    const r = await builtCli(join(dir, 'config'), ['import', file, '--into', into])
    expect(r.stderr).not.toContain('FATAL ERROR')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^flightdeck: cannot import /)
    expect(readdirSync(dir)).not.toContain('out')
  }, 120_000)
})
