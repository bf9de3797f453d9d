import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { USERINFO_LEFT_OUT } from '../../src/cli/oauth-args'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { signInRequestYaml, startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'

/**
 * The CLI prints the OAuth 2.0 sign-in URL on stderr, which CI keeps in its logs: a `user:password@` typed into
 * the authorization URL is not printed, and a line says it was left out. The printed link still signs in: a test
 * browser follows exactly what stderr shows, against the fixture authorization server, and each request goes
 * out with its token. A URL without userinfo is printed as it is, without the line.
 */

const PASSWORD = 'pa55-in-the-url'

let server: OAuthServer
let dir = ''
let configDir = ''
let out = ''

beforeAll(async () => {
  server = await startOAuthServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-cli-oauth-userinfo-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-cli-oauth-userinfo-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-cli-oauth-userinfo-out-'))
  const withUser = server.url.replace('http://', `http://alice:${PASSWORD}@`)
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: OAuth\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(join(dir, '1-typed.yaml'), signInRequestYaml('Typed', `${withUser}/authorize?audience=api`))
  writeFileSync(join(dir, '2-plain.yaml'), signInRequestYaml('Plain', '{{base}}/authorize'))
})

afterAll(async () => {
  await server.close()
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe('flightdeck run: the sign-in URL on stderr', () => {
  it('leaves out a user:password typed into the authorization URL, says so, and the link still signs in', async () => {
    const browser = new TestBrowser()
    let stderr = ''
    const io = {
      out: () => undefined,
      err: (text: string) => {
        stderr += text
        // The person opens what the terminal shows, nothing else.
        const url = /^\s+(http:\/\/\S+\/authorize\?\S+)$/m.exec(text)?.[1]
        if (url) browser.open(url)
      },
    }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, '--reporter', 'json', '--out', out, '--oauth-timeout', '60'], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    const rows = report.results.map((r) => [r.path, r.passed, r.status])
    expect(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['1-typed.yaml', true, 200],
      ['2-plain.yaml', true, 200],
    ])
    expect(code).toBe(0)
    expect(stderr).not.toContain(PASSWORD)
    expect(stderr).not.toContain('alice')
    // Two sign-ins: the typed URL without its userinfo (its own query kept), the note on the line after it; the
    // plain one as it is, without the note.
    expect(browser.opened).toHaveLength(2)
    const typed = browser.opened.find((u) => u.includes('audience=api')) ?? '-'
    const plain = browser.opened.find((u) => !u.includes('audience=api')) ?? '-'
    expect(typed).toMatch(new RegExp(`^${server.url}/authorize\\?audience=api&response_type=code&`))
    expect(typed).toContain('code_challenge=')
    expect(plain).toMatch(new RegExp(`^${server.url}/authorize\\?response_type=code&`))
    const lines = stderr.split('\n').map((l) => l.trim())
    expect(lines[lines.indexOf(typed) + 1]).toBe(USERINFO_LEFT_OUT)
    expect(lines[lines.indexOf(plain) + 1]).not.toBe(USERINFO_LEFT_OUT)
    expect(lines.filter((l) => l === USERINFO_LEFT_OUT)).toHaveLength(1)
  })
})
