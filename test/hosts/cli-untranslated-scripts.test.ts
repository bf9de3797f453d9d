import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import type { JsonRunReport } from '../../src/cli/run-report'
import { startVendorStub, type VendorStub } from '../fixtures/vendor-stub'

/**
 * `flightdeck run` on a collection imported with scripts it could not translate: the scripts run in the sandbox
 * and their tests are the step's checks (in run.json and as JUnit test cases by name). With --no-scripts the
 * run fails (exit 1) and says which scripts were not run, unless --allow-untranslated-scripts, when it passes on
 * the other checks and still says so. In process, against a real server.
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
    pm.sendRequest(pm.variables.get("base") + "/echo", function (err, res) {
      pm.test("set-up call answered", function () { pm.expect(err).to.equal(null); pm.expect(res.code).to.equal(200); });
    });
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
  it('runs them: their tests are checks of the step, in run.json and JUnit by name', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-cli-scripts-out-'))
    try {
      const ran = await run('--reporter', 'json,junit', '--out', out)
      expect(ran.code).toBe(0)
      const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
      const pay = report.results.find((r) => r.name === 'Make payment')
      expect(pay?.scripts?.post?.tests).toEqual([
        { name: 'Status code is 200', passed: true },
        { name: 'set-up call answered', passed: true },
      ])
      expect(pay?.assertions.map((a) => a.name)).toContain('set-up call answered')
      const junit = readFileSync(join(out, 'junit.xml'), 'utf8')
      expect(junit).toContain('name="Make payment › Status code is 200"')
      expect(junit).toContain('name="Make payment › set-up call answered"')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })

  it('--no-scripts: exits 1 and names the scripts not run; --allow-untranslated-scripts passes on the other checks', async () => {
    stub.seen.length = 0
    const strict = await run('--reporter', 'json', '--no-scripts')
    expect(strict.code).toBe(1)
    expect(strict.out).toContain('test scripts not run: they are kept in the request file, untranslated')
    // The request was still sent, and its own check passed; the script's set-up call was not made.
    expect(stub.seen.filter((s) => s.url === '/payments')).toHaveLength(1)
    expect(stub.seen.filter((s) => s.url === '/echo')).toHaveLength(0)

    const allowed = await run('--reporter', 'json', '--no-scripts', '--allow-untranslated-scripts')
    expect(allowed.code).toBe(0)
    expect(allowed.out).toContain('(allowed for this run)')
  })
})

describe('flightdeck run in order (scripts, one at a time) keeps dependsOn', () => {
  it('a request whose dependency failed is not run and never reaches the server, as in the app', async () => {
    // As an imported Postman chain: a login that gives no token, a request that dependsOn it, one that does not;
    // the collection keeps an old token, as exported ones do, so a request that ran anyway would be sent with it.
    const chain = mkdtempSync(join(tmpdir(), 'fd-cli-chain-'))
    const file = (rel: string, text: string): void => writeFileSync(join(chain, rel), text)
    file(
      'collection.yaml',
      `flightdeck: 1\nname: Chain\nvariables:\n  base: ${stub.url}\n  token: from-last-week\norder: [login, me, health]\n`,
    )
    const script =
      'scripts:\n  test: |\n    pm.test("ok", () => pm.response.to.have.status(200));\n  translated: false\n'
    file(
      'login.yaml',
      `name: Login\nmethod: POST\nurl: "{{base}}/login"\nassertions:\n  - kind: status\n    equals: 200\nextract:\n  - name: token\n    from: json\n    path: $.access_token\n${script}`,
    )
    file(
      'me.yaml',
      `name: Me\nmethod: GET\nurl: "{{base}}/me"\nheaders:\n  - name: Authorization\n    value: "{{token}}"\ndependsOn:\n  - login.yaml\n${script}`,
    )
    file('health.yaml', `name: Health\nmethod: GET\nurl: "{{base}}/health"\n${script}`)
    try {
      stub.seen.length = 0
      let out = ''
      const code = await runCli(['run', chain], { out: (t) => void (out += t), err: (t) => void (out += t) })
      // The login and the independent request went; the dependant never reached the server.
      expect(stub.seen.map((s) => s.url)).toEqual(['/login', '/health'])
      expect(code).toBe(1)
      expect(out).toMatch(/^· me\.yaml +0 +0 /m)
      expect(out).toMatch(/1 passed, 1 failed, 1 not run/)
      expect(out).toContain('nothing found for token')
    } finally {
      rmSync(chain, { recursive: true, force: true })
    }
  })
})
