import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { CLI_TIMEOUT_MS, startSecretCollection, type SecretCollection } from './secret-collection'

/**
 * A script's `pm.sendRequest` whose `{{token}}` is a secret with no value on this machine (a fresh CI runner):
 * `flightdeck run` refuses it unsent, as it refuses a request, and the step fails even though the script ignores
 * the error it gets (a failure never passes); `--allow-empty-secrets` sends it empty. In a test script (after the
 * request, which uses no secret, went out) and in a pre-request script. Checked at the server: what was SENT.
 */

let c: SecretCollection

/** A request file whose `phase` script sends `{{base}}/side` with `Bearer {{token}}` and ignores any error. */
function scripted(file: string, name: string, path: string, phase: 'preRequest' | 'test'): void {
  writeFileSync(
    join(c.dir, file),
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
  c = await startSecretCollection('fd-secret-sendrequest-', { name: 'Side', id: 'side' }, ['token'])
})

beforeEach(() => {
  c.reset()
  rmSync(join(c.dir, 'a-test.yaml'), { force: true })
  rmSync(join(c.dir, 'b-pre.yaml'), { force: true })
})

afterAll(() => c.close())

describe('pm.sendRequest with a secret that has no value here', () => {
  it(
    'in a test script: refused unsent, and the step fails though the script ignored the error',
    async () => {
      scripted('a-test.yaml', 'After', '/main', 'test')
      const r = await c.flightdeck(['run', c.dir, '--env', 'ci'])
      // The request itself uses no secret: it went out; the script's did not.
      expect(c.sent()).toEqual([{ path: '/main', auth: null }])
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
      const r = await c.flightdeck(['run', c.dir, '--env', 'ci'])
      expect(c.sent().filter((s) => s.path === '/side')).toEqual([])
      // The step fails on the request the script read the secret for (the pm.sendRequest's refusal is its phase's).
      expect(r.stdout).toContain('Secret variable {{token}} (environment "ci") has no value on this machine')
      expect(r.code).toBe(1)

      c.server.heads.length = 0
      const allowed = await c.flightdeck(['run', c.dir, '--env', 'ci', '--allow-empty-secrets'])
      expect(c.sent()).toEqual([
        { path: '/side', auth: 'Bearer ' },
        { path: '/main', auth: null },
      ])
      expect(allowed.stderr).toContain('were sent with it empty (--allow-empty-secrets)')
      expect(allowed.code).toBe(0)
    },
    CLI_TIMEOUT_MS,
  )
})
