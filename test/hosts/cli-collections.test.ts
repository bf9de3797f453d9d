import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAuthServer, type AuthServer } from '../fixtures/auth-server'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'

/** The run's CLI bundle, started as bin/flightdeck.js starts it (test/fixtures/cli-process.ts). */
const bin = FLIGHTDECK_BIN

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function flightdeck(configDir: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: configDir },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('flightdeck send --collection', () => {
  let server: AuthServer
  let dir: string
  let configDir: string

  beforeAll(async () => {
    server = await startAuthServer()
    dir = mkdtempSync(join(tmpdir(), 'fd-cli-coll-'))
    configDir = mkdtempSync(join(tmpdir(), 'fd-cli-config-'))
    writeFileSync(
      join(dir, 'collection.yaml'),
      `flightdeck: 1\nname: CLI\nvariables:\n  base: ${server.url}\nauth:\n  type: basic\n  username: alice\n  password: "{{pw}}"\n`,
    )
    mkdirSync(join(dir, 'environments'))
    writeFileSync(
      join(dir, 'environments', 'local.yaml'),
      'name: Local\nvariables:\n  pw: s3cret\n  who: local\n',
    )
    writeFileSync(
      join(dir, 'environments', 'wrong.yaml'),
      'name: Wrong\nvariables:\n  pw: nope\n  who: wrong\n',
    )
    mkdirSync(join(dir, 'users'))
    writeFileSync(join(dir, 'users', 'me.yaml'), 'name: Me\nmethod: GET\nurl: "{{base}}/basic?who={{who}}"\n')
    writeFileSync(join(dir, 'users', 'broken.yaml'), 'name: Broken\nurl: [oops\n')
    writeFileSync(join(dir, 'users', 'query.yaml'), 'name: Query\nkind: graphql\nurl: "{{base}}/graphql"\n')
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  })

  it('runs a saved request with its environment, variables and inherited auth', async () => {
    const run = await flightdeck(
      configDir,
      'send',
      '--collection',
      dir,
      '--request',
      'users/me',
      '--env',
      'local',
      '--json',
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as { status: number; url: string }
    expect(report.status).toBe(200)
    expect(report.url).toBe(`${server.url}/basic?who=local`)

    const wrong = await flightdeck(
      configDir,
      'send',
      '--collection',
      dir,
      '--request',
      'users/me.yaml',
      '--env',
      'wrong',
    )
    expect(wrong.code).toBe(0)
    expect(wrong.stdout).toMatch(/^HTTP\/1\.1 401/m)
  })

  it('exits 2 with one line for a missing variable, environment, request or a broken file', async () => {
    const cases: [string[], RegExp][] = [
      [['--request', 'users/me'], /unknown_variable: Unknown variables \{\{who\}\}, \{\{pw\}\}/],
      [['--request', 'users/me', '--env', 'prod'], /not_found: No environment "prod"/],
      [['--request', 'users/nobody'], /not_found: users\/nobody\.yaml no longer exists|not_found/],
      [['--request', 'users/broken'], /parse: users\/broken\.yaml line \d+: unexpected end/],
      [
        ['--request', 'users/query'],
        /unsupported: users\/query\.yaml is a GraphQL request; send runs HTTP requests \(flightdeck run runs it\)/,
      ],
    ]
    // The processes start side by side: each is seconds of CPU before it reads its arguments, and a case is one
    // start of the command, whatever ran beside it.
    const [notCollection, ...runs] = await Promise.all([
      flightdeck(configDir, 'send', '--collection', join(dir, 'users'), '--request', 'me'),
      ...cases.map(([args]) => flightdeck(configDir, 'send', '--collection', dir, ...args)),
    ])
    cases.forEach(([args, message], i) => {
      const run = runs[i] as Run
      expect(run.code, args.join(' ')).toBe(2)
      expect(run.stderr).toMatch(message)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
    })
    expect(notCollection.code).toBe(2)
    expect(notCollection.stderr).toContain('has no collection.yaml')
  })
})

describe('flightdeck import', () => {
  const samples = fileURLToPath(new URL('../fixtures/samples/', import.meta.url))
  let into: string
  let configDir: string
  beforeAll(() => {
    into = mkdtempSync(join(tmpdir(), 'fd-cli-import-'))
    configDir = mkdtempSync(join(tmpdir(), 'fd-cli-import-config-'))
  })
  afterAll(() => {
    rmSync(into, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  })

  it('run on a collection whose only requests sit in a collection of its own names it and how to run it', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'fd-cli-outer-'))
    try {
      writeFileSync(join(outer, 'collection.yaml'), 'flightdeck: 1\nname: Outer\n')
      mkdirSync(join(outer, 'shop api'))
      writeFileSync(join(outer, 'shop api', 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
      writeFileSync(
        join(outer, 'shop api', 'list.yaml'),
        'name: List\nmethod: GET\nurl: http://127.0.0.1:1/\n',
      )
      const all = await flightdeck(configDir, 'run', outer)
      expect(all.code).toBe(2)
      expect(all.stderr).toMatch(/^flightdeck: No requests under "Outer"\n/)
      expect(all.stderr).toContain(
        `flightdeck: shop api is a collection of its own (it has its own collection.yaml), so this run leaves it out: run it with flightdeck run '${join(outer, 'shop api')}'\n`,
      )
      const one = await flightdeck(configDir, 'run', outer, 'shop api/list')
      expect(one.code).toBe(2)
      expect(one.stderr).toContain(`run it with flightdeck run '${join(outer, 'shop api')}' list\n`)
    } finally {
      rmSync(outer, { recursive: true, force: true })
    }
  })

  it('detects the format, writes the collection and prints the import report', async () => {
    const run = await flightdeck(
      configDir,
      'import',
      join(samples, 'insomnia-v4.json'),
      '--into',
      join(into, 'weather'),
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Imported insomnia: 5 requests in 1 folder, 2 environments -> .*weather\n/)
    expect(run.stdout).toContain('Not mapped (')
    expect(run.stdout).toContain('  - cookie_jar "Default Jar": not imported')
    // The folder is a collection the send command can run straight away.
    const send = await flightdeck(
      configDir,
      'send',
      '--collection',
      join(into, 'weather'),
      '--request',
      'nope',
    )
    expect(send.code).toBe(2)
    expect(send.stderr).toMatch(/not_found/)
  })

  it('exits 2 with a one-line reason for a file it cannot read', async () => {
    const files = ['malformed-postman-truncated.json', 'malformed-unknown.json', 'missing.json']
    // Side by side, as above.
    const runs = await Promise.all(
      files.map((file) => flightdeck(configDir, 'import', join(samples, file), '--into', join(into, 'x'))),
    )
    for (const [i, file] of files.entries()) {
      const run = runs[i] as Run
      expect(run.code, file).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr.trim().split('\n'), file).toHaveLength(1)
      expect(run.stderr).toMatch(/^flightdeck: cannot import .+: /)
    }
    const noInto = await flightdeck(configDir, 'import', join(samples, 'browser.har'))
    expect(noInto.code).toBe(2)
    expect(noInto.stderr).toBe('flightdeck: import needs --into <dir>\n')
  })
})
