import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * The built bundles carry the worker pool's entry: the built CLI (out/cli, as an installed package runs it)
 * imports an OpenAPI spec, which is parsed and validated in a worker started from out/cli/worker.js. Needs
 * `npm run build` first (npm test builds before the unit tests).
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const samples = join(root, 'test/fixtures/samples')

function builtCli(
  configDir: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const entry = join(root, 'out/cli/index.js')
  const script = `const m = await import(${JSON.stringify(entry)}); process.exitCode = await m.runCli(${JSON.stringify(args)})`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: configDir },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the built bundles and the worker pool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-built-worker-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('every Node bundle has its worker.js beside it', () => {
    for (const host of ['cli', 'web', 'main'])
      expect(
        existsSync(join(root, 'out', host, 'worker.js')),
        `out/${host}/worker.js (run npm run build)`,
      ).toBe(true)
  })

  it('the built CLI imports an OpenAPI spec through its worker', async () => {
    const into = join(dir, 'api')
    const run = await builtCli(join(dir, 'config'), [
      'import',
      join(samples, 'openapi-3.yaml'),
      '--into',
      into,
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Imported openapi: 6 requests in 2 folders, 0 environments -> /)
    expect(readdirSync(into).sort()).toContain('collection.yaml')
    // A malformed spec is still one plain line, from the worker's parse.
    const bad = await builtCli(join(dir, 'config'), [
      'import',
      join(samples, 'malformed-openapi.yaml'),
      '--into',
      join(dir, 'x'),
    ])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^flightdeck: cannot import .+malformed-openapi\.yaml: .+\n$/)
  }, 60_000)
})
