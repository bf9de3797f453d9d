import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { headerOf, pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'

/**
 * A secret read only by a pre-request script: `pm.environment.get('token')`, then an Authorization header built
 * by hand, so no `{{token}}` lookup sees it. On a fresh CI machine (no value stored, none given) `flightdeck run`
 * refuses the request the script built, unsent, unless `--allow-empty-secrets`; a script that reads it empty and
 * then sets it itself (a login) sends what it set; `send --collection` refuses it as well. Checked at the server: what was SENT.
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

beforeAll(async () => {
  server = await startRawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  root = mkdtempSync(join(tmpdir(), 'fd-secret-script-'))
  dir = join(root, 'api')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Scripted\nid: scripted\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(
    join(dir, 'environments', 'ci.yaml'),
    'name: ci\nvariables:\n  token:\n    secret: true\n  session:\n    secret: true\n',
  )
  // Reads the secret in its script and builds the header from it: the request names no variable.
  writeFileSync(
    join(dir, 'a-read.yaml'),
    [
      'name: Read',
      'method: GET',
      "url: '{{base}}/read'",
      'scripts:',
      '  preRequest: |',
      "    const t = pm.environment.get('token')",
      "    pm.request.headers.add({ key: 'Authorization', value: 'Bearer ' + t })",
      '',
    ].join('\n'),
  )
  // Reads another secret empty, then fetches a value itself and sets it: it sends that value.
  writeFileSync(
    join(dir, 'b-login.yaml'),
    [
      'name: Login',
      'method: GET',
      "url: '{{base}}/login'",
      'scripts:',
      '  preRequest: |',
      "    if (!pm.variables.get('session')) pm.environment.set('session', 'from-login')",
      "    pm.request.headers.add({ key: 'Authorization', value: 'Bearer ' + pm.environment.get('session') })",
      '',
    ].join('\n'),
  )
})

beforeEach(() => {
  server.heads.length = 0
  rmSync(join(root, 'config'), { recursive: true, force: true })
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('a secret with no value read by a pre-request script', () => {
  it(
    'flightdeck run refuses the request the script built, unsent, naming the secret',
    async () => {
      const r = await flightdeck(['run', dir, '--env', 'ci'])
      expect(r.stdout).toContain(
        'a-read.yaml #1: unknown_variable: Secret variable {{token}} (environment "ci") has no value on this machine, and the pre-request script read it; give it with --env-var token=',
      )
      // The login request set its own value: it went out with it; the one that read it empty did not go out.
      expect(sent()).toEqual([{ path: '/login', auth: 'Bearer from-login' }])
      expect(r.stderr).toContain('flightdeck: secret variable {{token}} (environment "ci") has no value')
      expect(r.stderr).not.toContain('{{session}}')
      expect(r.code).toBe(1)
    },
    CLI_TIMEOUT_MS,
  )

  it(
    '--allow-empty-secrets sends it empty, and --env-var gives it its value',
    async () => {
      const allowed = await flightdeck(['run', dir, '--env', 'ci', '--allow-empty-secrets'])
      expect(allowed.code).toBe(0)
      expect(sent().find((s) => s.path === '/read')?.auth).toBe('Bearer ')
      expect(allowed.stderr).toContain('were sent with it empty (--allow-empty-secrets)')

      server.heads.length = 0
      const given = await flightdeck(['run', dir, '--env', 'ci', '--env-var', 'token=tok-9'])
      expect(given.code).toBe(0)
      expect(sent()).toEqual([
        { path: '/login', auth: 'Bearer from-login' },
        { path: '/read', auth: 'Bearer tok-9' },
      ])
      expect(given.stderr).not.toContain('{{token}}')
    },
    CLI_TIMEOUT_MS,
  )

  it(
    'flightdeck send --collection refuses it too, unsent; --allow-empty-secrets sends it empty',
    async () => {
      const refused = await flightdeck(['send', '--collection', dir, '--request', 'a-read', '--env', 'ci'])
      expect(refused.stderr).toContain(
        'flightdeck: unknown_variable: Secret variable {{token}} (environment "ci") has no value on this machine, and the pre-request script read it',
      )
      expect(refused.code).toBe(2)
      expect(sent()).toEqual([])

      const allowed = await flightdeck([
        'send',
        '--collection',
        dir,
        '--request',
        'a-read',
        '--env',
        'ci',
        '--allow-empty-secrets',
      ])
      expect(allowed.code).toBe(0)
      expect(sent()).toEqual([{ path: '/read', auth: 'Bearer ' }])
      expect(allowed.stderr).toContain(
        'flightdeck: secret variable {{token}} (environment "ci") has no value',
      )
    },
    CLI_TIMEOUT_MS,
  )
})
