import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCliArgs } from '../../src/cli/args'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'
import { signInRequestYaml, startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'

/**
 * `flightdeck send --collection` with an authorization code grant: the sign-in URL is printed to stderr (no window
 * opens), the person signs in (a test browser follows the URL), the code comes back to the loopback listener and
 * the request goes out with the token; nobody signing in within --oauth-timeout fails loudly. FLIGHTDECK_TEST_CLI
 * runs a built CLI instead of bin/flightdeck.js (the sign-in listener is a chunk loaded on demand there).
 */

const CLI_TIMEOUT_MS = 180_000

let server: OAuthServer
let root = ''

beforeAll(async () => {
  server = await startOAuthServer()
  root = mkdtempSync(join(tmpdir(), 'fd-cli-oauth-'))
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

/** Run the CLI; `onUrl` gets the sign-in URL as soon as stderr prints it. */
function sendMe(
  extra: string[],
  onUrl: (url: string) => void,
  command: string[] = ['send', '--collection', root, '--request', 'me'],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const args = [...command, ...extra]
    const built = process.env.FLIGHTDECK_TEST_CLI
    // A built CLI is a module whose runCli the bin script calls; run it the same way.
    const argv = built
      ? [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(built)}); process.exitCode = await m.runCli(${JSON.stringify(args)})`,
        ]
      : [FLIGHTDECK_BIN, ...args]
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let seen = false
    const killer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS - 10_000)
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c
      const url = /^\s+(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m.exec(stderr)?.[1]
      if (url && !seen) {
        seen = true
        onUrl(url)
      }
    })
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(killer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('flightdeck send --collection with the authorization code grant', () => {
  it(
    'prints the sign-in URL on stderr and sends with the token once the person signed in',
    async () => {
      const person = new TestBrowser()
      const run = await sendMe(['--oauth-timeout', '60'], (url) => void person.follow(url))
      expect(run.stderr).toContain('OAuth 2.0 sign-in: open this URL in a browser (waiting up to 60 s)')
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/\b200\b/)
      expect(server.forms.at(-1)).toMatchObject({ grant_type: 'authorization_code', client_id: 'spa' })
      expect(server.forms.at(-1)?.['code_verifier']).toBeTruthy()
    },
    CLI_TIMEOUT_MS,
  )

  it(
    'nobody signing in within --oauth-timeout fails with the reason',
    async () => {
      let printed = ''
      const run = await sendMe(['--oauth-timeout', '1'], (url) => (printed = url))
      expect(printed).toContain('code_challenge_method=S256')
      expect(run.code).not.toBe(0)
      expect(run.stderr).toContain('no sign-in came back within 1 s')
    },
    CLI_TIMEOUT_MS,
  )

  it(
    'flightdeck run: the same sign-in, once for the run',
    async () => {
      const person = new TestBrowser()
      const before = server.authorizations.length
      const run = await sendMe(['--oauth-timeout', '60'], (url) => void person.follow(url), ['run', root])
      expect(run.stderr).toContain('OAuth 2.0 sign-in: open this URL in a browser (waiting up to 60 s)')
      expect(run.code).toBe(0)
      expect(server.authorizations.length - before).toBe(1)
    },
    CLI_TIMEOUT_MS,
  )

  it('--oauth-timeout is checked, and applies to saved requests only', () => {
    expect(parseCliArgs(['send', '--collection', 'c', '--request', 'r', '--oauth-timeout', '0'])).toEqual({
      kind: 'error',
      message: "--oauth-timeout must be a whole number of seconds (1..3600), got '0'",
    })
    expect(parseCliArgs(['send', 'http://127.0.0.1:1/', '--oauth-timeout', '5'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--oauth-timeout applies to a saved request') as unknown,
    })
  })
})
