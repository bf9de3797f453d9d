import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { startHttpServer, type Fixture } from '../fixtures/servers'

/**
 * The other CLI tests start the run's bundle (test/helpers/flightdeck-built.mjs), and in CI bin/flightdeck.js
 * itself finds out/cli fresh: this is the one case of bin/flightdeck.js in a checkout with no build, where it
 * runs the TypeScript source through tsx (`npx flightdeck` right after a clone). A checkout of its own in a temp
 * folder: bin/ copied, src/ and node_modules/ linked, no out/.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('bin/flightdeck.js in a checkout with no build', () => {
  const checkout = mkdtempSync(join(tmpdir(), 'fd-bin-checkout-'))
  let server: Fixture

  beforeAll(async () => {
    mkdirSync(join(checkout, 'bin'))
    copyFileSync(join(root, 'bin/flightdeck.js'), join(checkout, 'bin/flightdeck.js'))
    copyFileSync(join(root, 'bin/package.json'), join(checkout, 'bin/package.json'))
    copyFileSync(join(root, 'package.json'), join(checkout, 'package.json'))
    symlinkSync(join(root, 'src'), join(checkout, 'src'), 'dir')
    symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'), 'dir')
    server = await startHttpServer()
  })
  afterAll(async () => {
    await server.close()
    rmSync(checkout, { recursive: true, force: true })
  })

  it('runs the source: `send` prints the answer and exits 0', async () => {
    const r = await runFlightdeckProcess(['send', `${server.url}/hello`], {
      root: checkout,
      bin: join(checkout, 'bin/flightdeck.js'),
      // The CLI from source through tsx, cold: seconds of CPU on a loaded runner.
      timeoutMs: 80_000,
    })
    expect(r.stderr).not.toContain('Error')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('hello')
    expect(server.requests.map((q) => q.url)).toEqual(['/hello'])
  })
})
