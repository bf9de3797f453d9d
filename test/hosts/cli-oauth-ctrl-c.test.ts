import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'
import { signInRequestYaml, startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { portRefused } from '../fixtures/port-refused'

/**
 * Ctrl+C while `flightdeck send` or `run` waits for an OAuth 2.0 sign-in (authorization code, up to --oauth-timeout) ends
 * the wait at once: the loopback listener closes (its port refuses), the command says the sign-in was cancelled
 * (a run: in its report) and exits 130, as an interrupted command does. FLIGHTDECK_TEST_CLI runs a built CLI instead of
 * bin/flightdeck.js.
 */

const CLI_TIMEOUT_MS = 120_000

let server: OAuthServer
let root = ''

beforeAll(async () => {
  server = await startOAuthServer()
  root = mkdtempSync(join(tmpdir(), 'fd-cli-oauth-ctrl-c-'))
  writeFileSync(
    join(root, 'collection.yaml'),
    `flightdeck: 1\nname: OAuth\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(join(root, 'me.yaml'), signInRequestYaml('Me'))
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('Ctrl+C during a sign-in wait', () => {
  // Both say the person cancelled (a run in its report and junit.xml), not that the sign-in failed (`auth`).
  it.each([
    ['send', (): string[] => ['send', '--collection', root, '--request', 'me'], 'cancelled'],
    [
      'run',
      (): string[] => ['run', root, '--reporter', 'cli,junit', '--out', join(root, 'out')],
      'cancelled',
    ],
  ])(
    '%s: ends the wait at once: the listener closes, the command says so and exits 130',
    async (name, argsOf, errorCode) => {
      const args = argsOf()
      const built = process.env.FLIGHTDECK_TEST_CLI
      const argv = built
        ? [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(built)}); process.exitCode = await m.runCli(${JSON.stringify(args)})`,
          ]
        : [FLIGHTDECK_BIN, ...args]
      const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
      const killer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS - 10_000)
      let stderr = ''
      let stdout = ''
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
      let port = 0
      const portSeen = new Promise<void>((resolve) => {
        child.stderr.setEncoding('utf8').on('data', (c: string) => {
          stderr += c
          const url = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stderr)?.[1]
          if (url && port === 0) {
            port = Number(new URL(new URL(url).searchParams.get('redirect_uri') ?? '').port)
            resolve()
          }
        })
      })
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      await portSeen
      expect(await portRefused(port)).toBe(false)
      const signalled = Date.now()
      child.kill('SIGINT')
      const code = await exited
      const took = Date.now() - signalled
      clearTimeout(killer)
      expect(code).toBe(130)
      expect(took).toBeLessThan(5000)
      expect(await portRefused(port)).toBe(true)
      // send says it on stderr; run in its report's failures, on stdout.
      expect(stderr + stdout).toContain(`${errorCode}: OAuth 2.0: the sign-in was cancelled`)
      if (name === 'run')
        expect(readFileSync(join(root, 'out', 'junit.xml'), 'utf8')).toContain(
          '<error message="cancelled: OAuth 2.0: the sign-in was cancelled" type="cancelled">',
        )
      expect(server.forms).toHaveLength(0)
    },
    CLI_TIMEOUT_MS,
  )
})
