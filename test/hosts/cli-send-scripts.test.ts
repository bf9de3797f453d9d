import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { startScriptStub, type ScriptStub } from '../fixtures/scripts/script-stub'

/**
 * `flightdeck send --collection` of a saved request runs its scripts: the pre-request script sets what the
 * request sends, the test script's tests are printed (and in --json), a failed one exits 1; --no-scripts sends
 * the request as written (here, with a variable only the script sets: unsent). In process, against a real server.
 */

let stub: ScriptStub
let dir: string
let configDir: string
const previousConfig = process.env['FLIGHTDECK_CONFIG_DIR']

beforeAll(async () => {
  stub = await startScriptStub()
  dir = mkdtempSync(join(tmpdir(), 'fd-cli-send-scripts-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-cli-send-scripts-config-'))
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
  writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Send\nvariables:\n  base: ${stub.url}\n`)
  writeFileSync(
    join(dir, 'me.yaml'),
    `name: Who am I
method: GET
url: "{{base}}/me"
headers:
  - name: Authorization
    value: "Bearer {{token}}"
scripts:
  preRequest: |
    pm.environment.set("token", "tok-cli")
  test: |
    pm.test("is ada", () => pm.expect(pm.response.json().user).to.equal("ada"))
    pm.test("expects 201", () => pm.response.to.have.status(201))
  translated: false
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

async function send(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(['send', '--collection', dir, '--request', 'me', ...args], {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  })
  return { code, out, err }
}

describe('flightdeck send of a saved request with scripts', () => {
  it('runs them: the pre-request value is sent, the tests are printed, a failed one exits 1', async () => {
    stub.seen.length = 0
    const r = await send()
    expect(stub.seen[0]?.headers['authorization']).toBe('Bearer tok-cli')
    expect(r.out).toContain(
      'Scripts:\n  ✓ is ada\n  ✗ expects 201: AssertionError: expected response to have status code 201 but got 200',
    )
    expect(r.err).toContain('a script test failed')
    expect(r.code).toBe(1)

    const json = await send('--json')
    const report = JSON.parse(json.out) as {
      scripts: { phase: string; tests: { name: string; passed: boolean }[] }[]
    }
    expect(report.scripts.map((s) => s.phase)).toEqual(['pre', 'post'])
    expect(report.scripts[1]?.tests.map((t) => [t.name, t.passed])).toEqual([
      ['is ada', true],
      ['expects 201', false],
    ])
  })

  it('--no-scripts: the scripts do not run, so the variable only the pre-request script set is unknown', async () => {
    stub.seen.length = 0
    const r = await send('--no-scripts')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/token/)
    expect(stub.seen).toHaveLength(0)
    expect(r.out).not.toContain('Scripts:')
  })
})
