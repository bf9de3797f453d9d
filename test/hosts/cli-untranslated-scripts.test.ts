import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { startVendorStub, type VendorStub } from '../fixtures/vendor-stub'

/**
 * `flightdeck run` on a collection imported with scripts it could not translate: the run fails (exit 1) and
 * says which scripts were not run, unless --allow-untranslated-scripts, when it passes on the other checks
 * and still says so. In process, against a real server.
 */

let stub: VendorStub
let dir: string
let configDir: string
const previousConfig = process.env['FLIGHTDECK_CONFIG_DIR']

beforeAll(async () => {
  stub = await startVendorStub()
  dir = mkdtempSync(join(tmpdir(), 'fd-cli-scripts-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-cli-scripts-config-'))
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', `flightdeck: 1\nname: Imported\nvariables:\n  base: ${stub.url}\n`)
  file(
    'pay.yaml',
    `name: Make payment
method: POST
url: "{{base}}/payments"
assertions:
  - kind: status
    equals: 200
scripts:
  test: |
    pm.test("Status code is 200", function () { pm.response.to.have.status(200); });
    pm.sendRequest("https://example.invalid", function () {});
  translated: false
`,
  )
  file(
    'health.yaml',
    `name: Health
method: GET
url: "{{base}}/health"
assertions:
  - kind: status
    equals: 200
scripts:
  test: |
    pm.test("ok", () => pm.response.to.have.status(200));
  translated: true
`,
  )
})
afterAll(async () => {
  if (previousConfig === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
  else process.env['FLIGHTDECK_CONFIG_DIR'] = previousConfig
  await stub.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const code = await runCli(['run', dir, ...args], {
    out: (t) => void (out += t),
    err: (t) => void (out += t),
  })
  return { code, out }
}

describe('flightdeck run with untranslated scripts', () => {
  it('exits 1 and names the scripts not run; --allow-untranslated-scripts passes on the other checks', async () => {
    const strict = await run('--reporter', 'json')
    expect(strict.code).toBe(1)
    expect(strict.out).toContain('test scripts not run: they are kept in the request file, untranslated')
    // The request was still sent, and its own check passed.
    expect(stub.seen.filter((s) => s.url === '/payments')).toHaveLength(1)

    const allowed = await run('--reporter', 'json', '--allow-untranslated-scripts')
    expect(allowed.code).toBe(0)
    expect(allowed.out).toContain('(allowed for this run)')
  })
})
