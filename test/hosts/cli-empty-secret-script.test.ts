import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { CLI_TIMEOUT_MS, startSecretCollection, type SecretCollection } from './secret-collection'

/**
 * A secret read only by a pre-request script: `pm.environment.get('token')`, then an Authorization header built
 * by hand, so no `{{token}}` lookup sees it. On a fresh CI machine (no value stored, none given) `flightdeck run`
 * refuses the request the script built, unsent, unless `--allow-empty-secrets`; a script that reads it empty and
 * then sets it itself (a login) sends what it set; `send --collection` refuses it as well. Checked at the server: what was SENT.
 */

let c: SecretCollection

beforeAll(async () => {
  c = await startSecretCollection('fd-secret-script-', { name: 'Scripted', id: 'scripted' }, [
    'token',
    'session',
  ])
  // Reads the secret in its script and builds the header from it: the request names no variable.
  writeFileSync(
    join(c.dir, 'a-read.yaml'),
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
    join(c.dir, 'b-login.yaml'),
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

beforeEach(() => c.reset())

afterAll(() => c.close())

describe('a secret with no value read by a pre-request script', () => {
  it(
    'flightdeck run refuses the request the script built, unsent, naming the secret',
    async () => {
      const r = await c.flightdeck(['run', c.dir, '--env', 'ci'])
      expect(r.stdout).toContain(
        'a-read.yaml #1: unknown_variable: Secret variable {{token}} (environment "ci") has no value on this machine, and the pre-request script read it; give it with --env-var token=',
      )
      // The login request set its own value: it went out with it; the one that read it empty did not go out.
      expect(c.sent()).toEqual([{ path: '/login', auth: 'Bearer from-login' }])
      expect(r.stderr).toContain('flightdeck: secret variable {{token}} (environment "ci") has no value')
      expect(r.stderr).not.toContain('{{session}}')
      expect(r.code).toBe(1)
    },
    CLI_TIMEOUT_MS,
  )

  it(
    '--allow-empty-secrets sends it empty, and --env-var gives it its value',
    async () => {
      const allowed = await c.flightdeck(['run', c.dir, '--env', 'ci', '--allow-empty-secrets'])
      expect(allowed.code).toBe(0)
      expect(c.sent().find((s) => s.path === '/read')?.auth).toBe('Bearer ')
      expect(allowed.stderr).toContain('were sent with it empty (--allow-empty-secrets)')

      c.server.heads.length = 0
      const given = await c.flightdeck(['run', c.dir, '--env', 'ci', '--env-var', 'token=tok-9'])
      expect(given.code).toBe(0)
      expect(c.sent()).toEqual([
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
      const refused = await c.flightdeck([
        'send',
        '--collection',
        c.dir,
        '--request',
        'a-read',
        '--env',
        'ci',
      ])
      expect(refused.stderr).toContain(
        'flightdeck: unknown_variable: Secret variable {{token}} (environment "ci") has no value on this machine, and the pre-request script read it',
      )
      expect(refused.code).toBe(2)
      expect(c.sent()).toEqual([])

      const allowed = await c.flightdeck([
        'send',
        '--collection',
        c.dir,
        '--request',
        'a-read',
        '--env',
        'ci',
        '--allow-empty-secrets',
      ])
      expect(allowed.code).toBe(0)
      expect(c.sent()).toEqual([{ path: '/read', auth: 'Bearer ' }])
      expect(allowed.stderr).toContain(
        'flightdeck: secret variable {{token}} (environment "ci") has no value',
      )
    },
    CLI_TIMEOUT_MS,
  )
})
