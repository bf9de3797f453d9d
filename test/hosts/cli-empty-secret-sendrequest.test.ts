import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { headerOf, pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'

/**
 * A script's `pm.sendRequest` whose `{{token}}` is a secret with no value on this machine (a fresh CI runner):
 * `flightdeck run` refuses it unsent, as it refuses a request, and the step fails even though the script ignores
 * the error it gets (a failure never passes); `--allow-empty-secrets` sends it empty. In a test script (after the
 * request, which uses no secret, went out) and in a pre-request script. Checked at the server: what was SENT.
 */

/** Each case starts flightdeck once or twice (a second or more each from source, more on a busy machine). */
const CLI_TIMEOUT_MS = 180_000

let server: RawServer
let root: string
let dir: string

function sent(): { path: string; auth: string | null }[] {
  return server.heads.map((head) => ({
    path: pathOf(head).split('?')[0] ?? '',
    auth: headerOf(head, 'authorization'),
  }))
}

function flightdeck(args: string[]): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root, timeoutMs: CLI_TIMEOUT_MS - 10_000 })
}

/** A request file whose `phase` script sends `{{base}}/side` with `Bearer {{token}}` and ignores any error. */
function scripted(file: string, name: string, path: string, phase: 'preRequest' | 'test'): void {
  writeFileSync(
    join(dir, file),
    [
      `name: ${name}`,
      'method: GET',
      `url: '{{base}}${path}'`,
      'scripts:',
      `  ${phase}: |`,
      "    pm.sendRequest({ url: '{{base}}/side', header: { Authorization: 'Bearer {{token}}' } }, function () {})",
      '',
    ].join('\n'),
  )
}

beforeAll(async () => {
  server = await startRawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  root = mkdtempSync(join(tmpdir(), 'fd-secret-sendrequest-'))
  dir = join(root, 'api')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Side\nid: side\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(join(dir, 'environments', 'ci.yaml'), 'name: ci\nvariables:\n  token:\n    secret: true\n')
})

beforeEach(() => {
  server.heads.length = 0
  rmSync(join(root, 'config'), { recursive: true, force: true })
  rmSync(join(dir, 'a-test.yaml'), { force: true })
  rmSync(join(dir, 'b-pre.yaml'), { force: true })
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('pm.sendRequest with a secret that has no value here', () => {
  it(
    'in a test script: refused unsent, and the step fails though the script ignored the error',
    async () => {
      scripted('a-test.yaml', 'After', '/main', 'test')
      const r = await flightdeck(['run', dir, '--env', 'ci'])
      // The request itself uses no secret: it went out; the script's did not.
      expect(sent()).toEqual([{ path: '/main', auth: null }])
      expect(r.stdout).toContain(
        'test script of request "After": pm.sendRequest: Secret variable {{token}} (environment "ci") has no value on this machine; give it with --env-var token=',
      )
      expect(r.code).toBe(1)
    },
    CLI_TIMEOUT_MS,
  )

  it(
    'in a pre-request script: refused unsent; --allow-empty-secrets sends it empty',
    async () => {
      scripted('b-pre.yaml', 'Before', '/main', 'preRequest')
      const r = await flightdeck(['run', dir, '--env', 'ci'])
      expect(sent().filter((s) => s.path === '/side')).toEqual([])
      // The step fails on the request the script read the secret for (the pm.sendRequest's refusal is its phase's).
      expect(r.stdout).toContain('Secret variable {{token}} (environment "ci") has no value on this machine')
      expect(r.code).toBe(1)

      server.heads.length = 0
      const allowed = await flightdeck(['run', dir, '--env', 'ci', '--allow-empty-secrets'])
      expect(sent()).toEqual([
        { path: '/side', auth: 'Bearer ' },
        { path: '/main', auth: null },
      ])
      expect(allowed.stderr).toContain('were sent with it empty (--allow-empty-secrets)')
      expect(allowed.code).toBe(0)
    },
    CLI_TIMEOUT_MS,
  )
})
