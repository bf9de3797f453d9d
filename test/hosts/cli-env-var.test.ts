import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { headerOf, pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'

/**
 * A collection from git on a fresh CI machine: its environment marks `token` secret and its collection marks
 * `apiKey` secret, so neither value is in the folder, and nobody stored one here. `flightdeck run` and
 * `send --collection` take values with `--env-var NAME=VALUE` (or `--env-var NAME`, read from the process's
 * environment), at the environment's layer as newman puts them; a request that uses a secret with no value fails
 * unsent (named once on stderr) unless `--allow-empty-secrets`. Checked at the server: what was SENT.
 */

/** Each case starts flightdeck a few times (a second or more each from source, more on a busy machine). */
const CLI_TIMEOUT_MS = 180_000

let server: RawServer
let root: string
let dir: string

/** Each request the server got: its path and Authorization header ('' when it had none). */
function sent(): { path: string; auth: string | null; region: string | null }[] {
  return server.heads.map((head) => ({
    path: pathOf(head).split('?')[0] ?? '',
    auth: headerOf(head, 'authorization'),
    region: /[?&]region=([^&\s]*)/.exec(pathOf(head))?.[1] ?? null,
  }))
}

/** Each of `starts` begins exactly one line of `stderr`, and no other line names a secret with no value. */
function expectOneLineEach(stderr: string, starts: string[]): void {
  const lines = stderr.split('\n').filter((l) => l.startsWith('flightdeck: secret variable'))
  expect(lines).toHaveLength(starts.length)
  for (const start of starts) expect(lines.filter((l) => l.startsWith(start))).toHaveLength(1)
}

function flightdeck(args: string[], env?: Record<string, string>): Promise<CliProcessRun> {
  return runFlightdeckProcess(args, { root, ...(env ? { env } : {}) })
}

beforeAll(async () => {
  // Echoes X-Key back in a header and the body, as a server that reflects a credential does.
  server = await startRawServer((socket, head) => {
    const key = /\r\nx-key: ?([^\r]*)/i.exec(head)?.[1] ?? ''
    const body = `got ${key}`
    socket.write(
      `HTTP/1.1 200 OK\r\nX-Echo: ${key}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  })
  root = mkdtempSync(join(tmpdir(), 'fd-env-var-'))
  dir = join(root, 'api')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Sec\nid: sec-ci\nvariables:\n  base: ${server.url}\n  region: from-collection\n  apiKey:\n    secret: true\n`,
  )
  writeFileSync(
    join(dir, 'environments', 'ci.yaml'),
    'name: ci\nvariables:\n  region: from-environment\n  token:\n    secret: true\n',
  )
  writeFileSync(
    join(dir, 'header.yaml'),
    "name: Header\nmethod: GET\nurl: '{{base}}/header?region={{region}}'\nheaders:\n  - name: Authorization\n    value: 'Bearer {{token}}'\n",
  )
  writeFileSync(
    join(dir, 'bearer.yaml'),
    "name: Bearer\nmethod: GET\nurl: '{{base}}/bearer'\nauth:\n  type: bearer\n  token: '{{apiKey}}'\n",
  )
  // Uses no secret: it goes out whatever the others do.
  writeFileSync(join(dir, 'plain.yaml'), "name: Plain\nmethod: GET\nurl: '{{base}}/plain'\n")
})

beforeEach(() => {
  server.heads.length = 0
  rmSync(join(root, 'config'), { recursive: true, force: true })
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck run on a machine where no secret is stored', () => {
  it(
    'fails the requests that use an unset secret, unsent, naming each secret once on stderr',
    async () => {
      const r = await flightdeck(['run', dir, '--env', 'ci', '--iterations', '3'])
      expect(r.stdout).toContain(
        'header.yaml #1: unknown_variable: Secret variable {{token}} (environment "ci") has no value on this machine; give it with --env-var token=',
      )
      expect(r.stdout).toContain(
        'bearer.yaml #1: unknown_variable: Secret variable {{apiKey}} (collection "Sec")',
      )
      // Nothing went out with `Bearer ` or without its Authorization: only the request that needs no secret.
      expect(sent().map((s) => s.path)).toEqual(['/plain', '/plain', '/plain'])
      expectOneLineEach(r.stderr, [
        'flightdeck: secret variable {{token}} (environment "ci") has no value on this machine: requests that use it fail, unsent. Give it with --env-var token=VALUE, or --env-var token to read it from the environment variable token (a CI secret), or store it in the app',
        'flightdeck: secret variable {{apiKey}} (collection "Sec") has no value on this machine: requests that use it fail, unsent.',
      ])
      expect(r.code).toBe(1)
    },
    CLI_TIMEOUT_MS,
  )

  it(
    '--allow-empty-secrets sends them empty, and still says so once per secret',
    async () => {
      const r = await flightdeck(['run', dir, '--env', 'ci', '--iterations', '2', '--allow-empty-secrets'])
      expect(r.code).toBe(0)
      expect(sent().filter((s) => s.path === '/header')).toHaveLength(2)
      expectOneLineEach(r.stderr, [
        'flightdeck: secret variable {{token}} (environment "ci") has no value on this machine: requests that use it were sent with it empty (--allow-empty-secrets).',
        'flightdeck: secret variable {{apiKey}} (collection "Sec") has no value on this machine: requests that use it were sent with it empty',
      ])
    },
    CLI_TIMEOUT_MS,
  )
})

describe('--env-var', () => {
  it(
    'gives the secrets their values: NAME=VALUE, and NAME alone from the process environment',
    async () => {
      const r = await flightdeck(
        ['run', dir, '--env', 'ci', '--env-var', 'token=tok-1', '--env-var', 'CI_API_KEY'],
        {
          CI_API_KEY: 'key-from-ci',
        },
      )
      // CI_API_KEY is not the collection's name for it: apiKey still has no value.
      expect(r.code).toBe(1)
      expect(sent().find((s) => s.path === '/header')?.auth).toBe('Bearer tok-1')
      expect(sent().find((s) => s.path === '/bearer')).toBeUndefined()

      server.heads.length = 0
      const ok = await flightdeck(
        ['run', dir, '--env', 'ci', '--env-var', 'token=tok-1', '--env-var', 'apiKey'],
        {
          apiKey: 'key-from-ci',
        },
      )
      expect(ok.stderr).not.toContain('has no value')
      expect(ok.code).toBe(0)
      expect(sent().find((s) => s.path === '/bearer')?.auth).toBe('Bearer key-from-ci')
      // The value given on the command line never appears in it (a CI log shows the command).
      expect(`${ok.stdout}${ok.stderr}`).not.toContain('key-from-ci')
    },
    CLI_TIMEOUT_MS,
  )

  it(
    "sits at the environment's layer: over the environment, a stored secret and the collection; under a data row",
    async () => {
      mkdirSync(join(root, 'config'), { recursive: true })
      writeFileSync(
        join(root, 'config', 'secrets.json'),
        JSON.stringify({ 'sec-ci|env:ci|token': 'stored-token', 'sec-ci|collection|apiKey': 'stored-key' }),
      )
      const stored = await flightdeck(['run', dir, '--env', 'ci'])
      expect(stored.code).toBe(0)
      expect(sent().find((s) => s.path === '/header')).toEqual({
        path: '/header',
        auth: 'Bearer stored-token',
        region: 'from-environment',
      })

      server.heads.length = 0
      const given = await flightdeck([
        'run',
        dir,
        '--env',
        'ci',
        '--env-var',
        'token=cli-token',
        '--env-var',
        'region=cli',
      ])
      expect(given.code).toBe(0)
      expect(sent().find((s) => s.path === '/header')).toEqual({
        path: '/header',
        auth: 'Bearer cli-token',
        region: 'cli',
      })
      expect(sent().find((s) => s.path === '/bearer')?.auth).toBe('Bearer stored-key')

      // No environment chosen: the value still replaces the collection's.
      server.heads.length = 0
      const noEnv = await flightdeck([
        'run',
        dir,
        'header.yaml',
        '--env-var',
        'region=cli',
        '--env-var',
        'token=t',
      ])
      expect(noEnv.code).toBe(0)
      expect(sent()).toEqual([{ path: '/header', auth: 'Bearer t', region: 'cli' }])

      // --global-var is the lowest layer: the environment's region wins over it; token, declared nowhere without
      // an environment, takes it.
      server.heads.length = 0
      const globals = await flightdeck([
        'run',
        dir,
        'header.yaml',
        '--global-var',
        'region=global',
        '--global-var',
        'token=global-token',
      ])
      expect(globals.code).toBe(0)
      expect(sent()).toEqual([{ path: '/header', auth: 'Bearer global-token', region: 'from-collection' }])

      // A data file's row wins over it, as in newman.
      server.heads.length = 0
      writeFileSync(join(root, 'rows.csv'), 'region\nrow-1\nrow-2\n')
      const rows = await flightdeck([
        'run',
        dir,
        'header.yaml',
        '--env',
        'ci',
        '--env-var',
        'region=cli',
        '--data',
        join(root, 'rows.csv'),
      ])
      expect(rows.code).toBe(0)
      expect(sent().map((s) => s.region)).toEqual(['row-1', 'row-2'])
    },
    CLI_TIMEOUT_MS,
  )

  it(
    'refuses bad syntax in words, exit 2, before anything is sent',
    async () => {
      for (const [args, words] of [
        [
          ['--env-var', '=x'],
          "--env-var needs a variable name before '=', as in --env-var token=VALUE, got '=x'",
        ],
        [['--env-var', 'a b=1'], "--env-var: 'a b' is not a variable name"],
        [
          ['--env-var', 'NOT_SET_ANYWHERE_42'],
          '--env-var NOT_SET_ANYWHERE_42: no environment variable NOT_SET_ANYWHERE_42 is set',
        ],
      ] as const) {
        const run = await flightdeck(['run', dir, '--env', 'ci', ...args])
        expect(run.stderr).toContain(`flightdeck: ${words}`)
        expect(run.code).toBe(2)
        const send = await flightdeck(['send', '--collection', dir, '--request', 'header', ...args])
        expect(send.stderr).toContain(`flightdeck: ${words}`)
        expect(send.code).toBe(2)
      }
      const plain = await flightdeck(['send', `${server.url}/x`, '--env-var', 'a=1'])
      expect(plain.stderr).toContain(
        '--env-var applies to a saved request (--collection) and to flightdeck run',
      )
      expect(plain.code).toBe(2)
      expect(sent()).toEqual([])
    },
    CLI_TIMEOUT_MS,
  )
})

describe('flightdeck send --collection', () => {
  it(
    'refuses a request that uses an unset secret (exit 2, named once), sends it with --env-var or --allow-empty-secrets',
    async () => {
      const refused = await flightdeck(['send', '--collection', dir, '--request', 'header', '--env', 'ci'])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain(
        'flightdeck: unknown_variable: Secret variable {{token}} (environment "ci") has no value on this machine',
      )
      expectOneLineEach(refused.stderr, [
        'flightdeck: secret variable {{token}} (environment "ci") has no value',
      ])
      expect(sent()).toEqual([])

      const given = await flightdeck(
        ['send', '--collection', dir, '--request', 'header', '--env', 'ci', '--env-var', 'token'],
        {
          token: 'tok-env',
        },
      )
      expect(given.code).toBe(0)
      expect(sent()).toEqual([{ path: '/header', auth: 'Bearer tok-env', region: 'from-environment' }])

      server.heads.length = 0
      const empty = await flightdeck([
        'send',
        '--collection',
        dir,
        '--request',
        'header',
        '--env',
        'ci',
        '--allow-empty-secrets',
      ])
      expect(empty.code).toBe(0)
      expect(sent()).toHaveLength(1)
      expectOneLineEach(empty.stderr, [
        'flightdeck: secret variable {{token}} (environment "ci") has no value on this machine: requests that use it were sent with it empty',
      ])
    },
    CLI_TIMEOUT_MS,
  )
})

describe('reports of a run', () => {
  it(
    'never carry a secret given with --env-var or stored here: table, run.json, junit.xml, run.har',
    async () => {
      const echo = join(root, 'echo')
      mkdirSync(join(echo, 'environments'), { recursive: true })
      writeFileSync(
        join(echo, 'collection.yaml'),
        `flightdeck: 1\nname: Echo\nid: echo-ci\nvariables:\n  base: ${server.url}\n`,
      )
      writeFileSync(
        join(echo, 'environments', 'ci.yaml'),
        'name: ci\nvariables:\n  token:\n    secret: true\n',
      )
      // The value reaches the words of a failed assertion, a script test's name and its console.
      writeFileSync(
        join(echo, 'echo.yaml'),
        [
          'name: Echo',
          'method: GET',
          "url: '{{base}}/echo?k={{token}}'",
          'headers:',
          '  - name: X-Key',
          "    value: '{{token}}'",
          'assertions:',
          '  - kind: header',
          '    name: x-echo',
          "    equals: 'not-{{token}}'",
          'scripts:',
          '  test: |',
          "    console.log('token is ' + pm.environment.get('token'))",
          "    pm.test('echo ' + pm.environment.get('token'), () => pm.expect(pm.response.text()).to.eql('x'))",
          '',
        ].join('\n'),
      )
      const out = join(root, 'reports')
      const reports = ['--reporter', 'cli,json,junit,har', '--out', out]
      const files = (): string =>
        ['run.json', 'junit.xml', 'run.har'].map((f) => readFileSync(join(out, f), 'utf8')).join('\n')

      const given = await flightdeck([
        'run',
        echo,
        '--env',
        'ci',
        '--env-var',
        'token=SEKRET-GIVEN-77',
        ...reports,
      ])
      expect(given.code).toBe(1)
      expect(server.heads.filter((h) => /\r\nx-key: SEKRET-GIVEN-77\r/i.test(`${h}\r`))).toHaveLength(1)
      expect(`${given.stdout}${given.stderr}${files()}`).not.toContain('SEKRET-GIVEN-77')
      expect(given.stdout).toContain('header x-echo is "[redacted]", expected "not-[redacted]"')
      expect(files()).toContain('echo [redacted]')
      // The table alone (a run that counts its results instead of keeping them) too.
      const table = await flightdeck(['run', echo, '--env', 'ci', '--env-var', 'token=SEKRET-GIVEN-77'])
      expect(table.stdout).toContain('header x-echo is "[redacted]"')
      expect(`${table.stdout}${table.stderr}`).not.toContain('SEKRET-GIVEN-77')

      mkdirSync(join(root, 'config'), { recursive: true })
      writeFileSync(
        join(root, 'config', 'secrets.json'),
        JSON.stringify({ 'echo-ci|env:ci|token': 'SEKRET-STORED-88' }),
      )
      const stored = await flightdeck(['run', echo, '--env', 'ci', ...reports])
      expect(stored.code).toBe(1)
      expect(`${stored.stdout}${stored.stderr}${files()}`).not.toContain('SEKRET-STORED-88')

      // Asked for, they are kept.
      const kept = await flightdeck(['run', echo, '--env', 'ci', '--include-secrets', ...reports])
      expect(kept.stderr).toContain('wrote')
      expect(files()).toContain('echo SEKRET-STORED-88')
      expect(kept.stdout).toContain('SEKRET-STORED-88')
    },
    CLI_TIMEOUT_MS,
  )
})
