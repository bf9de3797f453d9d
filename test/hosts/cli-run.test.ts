import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { har as validateHar } from 'har-validator'
import { parseDocument, DomUtils } from 'htmlparser2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { startCallbackServer } from '../fixtures/callback-server'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'
import { startRunnerServer, type RunnerServer } from '../fixtures/runner-server'

/** `flightdeck run` as a CI job runs it: a real process, a collection folder, a real server, exit codes. */

/** The run's CLI bundle, started as bin/flightdeck.js starts it (test/fixtures/cli-process.ts). */
const bin = FLIGHTDECK_BIN

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

let server: RunnerServer
let dir: string
let configDir: string
let outRoot: string

function flightdeck(...args: string[]): Promise<Run> {
  return flightdeckWith(() => undefined, ...args)
}

function flightdeckWith(
  onStart: (kill: (signal: NodeJS.Signals) => void) => void,
  ...args: string[]
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: outRoot,
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: configDir },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const timer = setTimeout(() => child.kill(), 60_000)
    onStart((signal) => child.kill(signal))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

function file(rel: string, text: string): void {
  const abs = join(dir, rel)
  mkdirSync(join(abs, '..'), { recursive: true })
  writeFileSync(abs, text)
}

/**
 * XML well-formedness, strictly: one root, tags nest and close, attribute values quoted, only the five
 * predefined entities or character references, no raw `<` or `&` in text. Returns the first problem.
 */
function xmlProblem(xml: string): string | null {
  let rest = xml.replace(/^<\?xml [^?]*\?>\s*/, '')
  const stack: string[] = []
  let roots = 0
  const NAME = '[A-Za-z_][\\w.-]*'
  const ATTR = `\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*')`
  const open = new RegExp(`^<(${NAME})((?:${ATTR})*)\\s*(/?)>`)
  const close = new RegExp(`^</(${NAME})\\s*>`)
  const badText = (t: string): boolean =>
    /</.test(t) || /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(t)
  for (let guard = 0; rest.length > 0 && guard < 1_000_000; guard++) {
    const lt = rest.indexOf('<')
    const text = lt === -1 ? rest : rest.slice(0, lt)
    if (badText(text)) return `bad text: ${text.slice(0, 40)}`
    if (stack.length === 0 && text.trim() !== '') return 'text outside the root'
    if (lt === -1) break
    rest = rest.slice(lt)
    const c = close.exec(rest)
    if (c) {
      if (stack.pop() !== c[1]) return `mismatched </${c[1]}>`
      rest = rest.slice(c[0].length)
      continue
    }
    const o = open.exec(rest)
    if (!o) return `bad tag at: ${rest.slice(0, 40)}`
    if (badText((o[2] ?? '').replace(/\s+[\w.-]+\s*=\s*["']/g, ' '))) return 'bad attribute value'
    if (stack.length === 0) roots++
    if (o[3] !== '/') stack.push(o[1] ?? '')
    rest = rest.slice(o[0].length)
  }
  if (stack.length > 0) return `unclosed <${stack[stack.length - 1] ?? ''}>`
  return roots === 1 ? null : `${roots} root elements`
}

beforeAll(async () => {
  server = await startRunnerServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-cli-run-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-cli-run-config-'))
  outRoot = mkdtempSync(join(tmpdir(), 'fd-cli-run-out-'))
  file(
    'collection.yaml',
    `flightdeck: 1\nname: CI\nvariables:\n  base: ${server.url}\n  wsBase: ${server.wsUrl}\n`,
  )
  file('environments/local.yaml', 'name: Local\nvariables:\n  user: ada\n')
  file(
    'ok/1-login.yaml',
    `name: Login
method: POST
url: "{{base}}/login"
body:
  kind: json
  text: '{"user": "{{user}}"}'
assertions:
  - kind: status
    equals: 200
extract:
  - name: token
    from: json
    path: $.token
`,
  )
  file(
    'ok/2-me.yaml',
    `name: Me <&> "quoted"
method: GET
url: "{{base}}/me"
auth:
  type: bearer
  token: "{{token}}"
dependsOn:
  - ./1-login
assertions:
  - kind: json
    path: $.user
    equals: ada
`,
  )
  file(
    'bad/fails.yaml',
    'name: Fails\nmethod: GET\nurl: "{{base}}/status/500"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
  file('bad/after.yaml', 'name: After\nmethod: GET\nurl: "{{base}}/status/200"\ndependsOn:\n  - bad/fails\n')
  file('unsent/up.yaml', 'name: Up\nmethod: GET\nurl: "{{base}}/status/200"\n')
  file('unsent/down.yaml', 'name: Down\nmethod: GET\nurl: "{{base}}/{{nowhere}}"\n')
  file('slow/slow.yaml', 'name: Slow\nmethod: GET\nurl: "{{base}}/slow?ms=50"\n')
  file(
    'data/greet.yaml',
    'name: Greet\nmethod: GET\nurl: "{{base}}/echo?name={{name}}"\nassertions:\n  - kind: status\n    equals: 200\n',
  )
  file(
    'streams/ticks.yaml',
    'name: Ticks\nkind: sse\nurl: "{{base}}/ticks?ms=5"\nstop:\n  count: 4\nassertions:\n  - kind: message-count\n    equals: 4\n',
  )
  file(
    'streams/socket.yaml',
    'name: Socket\nkind: ws\nurl: "{{wsBase}}/ws?ms=5"\nstop:\n  count: 3\nassertions:\n  - kind: status\n    equals: 101\n',
  )
})

afterAll(async () => {
  await server.close()
  for (const d of [dir, configDir, outRoot]) rmSync(d, { recursive: true, force: true })
})

// Each case starts a process (tsx compiles the CLI first): generous bounds for a busy machine.
describe('flightdeck run', { timeout: 120_000 }, () => {
  it('exit 0 when everything passes; writes run.json and a well-formed junit.xml', async () => {
    const out = join(outRoot, 'pass')
    const r = await flightdeck(
      'run',
      dir,
      'ok',
      '--env',
      'local',
      '--iterations',
      '2',
      '--concurrency',
      '2',
      '--reporter',
      'cli,json,junit',
      '--out',
      out,
    )
    expect(r.stderr).not.toMatch(/flightdeck:/)
    expect(r.code).toBe(0)
    // The summary table: a row per request with pass/fail counts and percentiles.
    expect(r.stdout).toMatch(/Request\s+Passed\s+Failed\s+p50\s+p90\s+p99\s+max/)
    expect(r.stdout).toMatch(/✓ ok\/1-login\.yaml\s+2\s+0\s+[\d.]+ (ms|s)/)
    expect(r.stdout).toMatch(/✓ ok\/2-me\.yaml\s+2\s+0/)
    expect(r.stdout).toContain('4 passed, 0 failed')
    // No TTY here: no progress bar escapes.
    expect(r.stderr).not.toContain('\x1b[K')
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    expect([json.total, json.passed, json.failed, json.cancelled]).toEqual([4, 4, 0, false])
    expect(json.results.map((x) => x.path).sort()).toEqual([
      'ok/1-login.yaml',
      'ok/1-login.yaml',
      'ok/2-me.yaml',
      'ok/2-me.yaml',
    ])
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8')
    // The checker itself refuses what is not well-formed.
    for (const broken of ['<a><b></a>', '<a>&</a>', '<a x=1/>', '<a/><b/>', '<a>'])
      expect(xmlProblem(broken)).not.toBeNull()
    expect(xmlProblem(xml)).toBeNull()
    const doc = parseDocument(xml, { xmlMode: true })
    const root = DomUtils.findOne((e) => e.name === 'testsuites', doc.children)
    expect(root?.attribs).toMatchObject({ tests: '4', failures: '0', errors: '0', skipped: '0' })
    const cases = DomUtils.findAll((e) => e.name === 'testcase', doc.children)
    expect(cases.map((c) => c.attribs['name'])).toEqual([
      'Login [1]',
      'Login [2]',
      'Me <&> "quoted" [1]',
      'Me <&> "quoted" [2]',
    ])
    expect(cases[2]?.attribs['classname']).toBe('CI.ok.2-me')
  })

  it('exit 1 when an assertion fails: junit has the failure and the skipped dependant', async () => {
    const out = join(outRoot, 'fail')
    const r = await flightdeck('run', dir, 'bad', '--reporter', 'junit,cli', '--out', out)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('✗ bad/fails.yaml #1: status 500 is not 200')
    expect(r.stdout).toMatch(/0 passed, 1 failed, 1 not run/)
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8')
    expect(xmlProblem(xml)).toBeNull()
    const doc = parseDocument(xml, { xmlMode: true })
    const failure = DomUtils.findOne((e) => e.name === 'failure', doc.children)
    expect(failure?.attribs).toEqual({ message: 'status 500 is not 200', type: 'assertion' })
    expect(DomUtils.textContent(failure ?? [])).toContain('FAIL status equals 200: status 500 is not 200')
    expect(DomUtils.findAll((e) => e.name === 'skipped', doc.children)).toHaveLength(1)
  })

  it('exit 2 for bad input, with a one-line reason', async () => {
    const bad = join(outRoot, 'bad.csv')
    writeFileSync(bad, 'name\n"unclosed\n')
    const cases: [string[], RegExp][] = [
      [['run', dir, '--frob'], /^flightdeck: Unknown option '--frob'\n$/],
      [['run', join(outRoot, 'missing')], /^flightdeck: no collection folder at .*missing\n$/],
      [['run', dir, '--env', 'prod'], /^flightdeck: No environment "prod" in CI \(there is: local\)\n$/],
      [
        ['run', dir, 'data', '--data', bad],
        /^flightdeck: Data file .*bad\.csv: line 2: a quoted field is never closed\n$/,
      ],
      [['run', dir, 'nowhere'], /^flightdeck: Nothing at "nowhere" in CI\n$/],
      [
        ['run', dir, '--concurrency', '0'],
        /^flightdeck: --concurrency must be a whole number from 1 to 1000, got '0'\n$/,
      ],
      [
        ['run', dir, '--reporter', 'xml'],
        /^flightdeck: unknown reporter 'xml'; use cli, json, junit, har\n$/,
      ],
    ]
    for (const [args, message] of cases) {
      const r = await flightdeck(...args)
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      expect(r.stderr).toMatch(message)
      expect(r.stdout).toBe('')
    }
  })

  it('json without --out goes to stdout (the table to stderr); a CSV data file feeds variables', async () => {
    const csv = join(outRoot, 'names.csv')
    writeFileSync(csv, 'name\nada\n"lovelace, a"\n')
    const r = await flightdeck('run', dir, 'data/greet', '--data', csv, '--reporter', 'json,cli')
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout) as JsonRunReport
    expect(json.passed).toBe(2)
    expect(r.stderr).toContain('2 passed, 0 failed')
    const names = server.urls('/echo').map((u) => new URL(u, 'http://x').searchParams.get('name'))
    expect(names.slice(-2).sort()).toEqual(['ada', 'lovelace, a'])
  })

  it('SSE and WebSocket steps stop on their count', async () => {
    const r = await flightdeck('run', dir, 'streams', '--reporter', 'json', '--out', join(outRoot, 's'))
    const json = JSON.parse(readFileSync(join(outRoot, 's', 'run.json'), 'utf8')) as JsonRunReport
    const rows = json.results
      .map((x) => [x.path, x.passed, x.status, x.assertions.map((a) => a.message)])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    expect(rows).toEqual([
      ['streams/socket.yaml', true, 101, ['status 101 is as expected']],
      ['streams/ticks.yaml', true, 200, ['4 messages']],
    ])
    expect(r.code).toBe(0)
  })

  it('har: every exchange in a valid HAR 1.2, credentials redacted', async () => {
    const out = join(outRoot, 'har')
    const r = await flightdeck('run', dir, 'ok/2-me', '--env', 'local', '--reporter', 'har', '--out', out)
    expect(r.code).toBe(0)
    expect(existsSync(join(out, 'run.har'))).toBe(true)
    const har = JSON.parse(readFileSync(join(out, 'run.har'), 'utf8')) as {
      log: { entries: { request: { url: string; headers: { name: string; value: string }[] } }[] }
    }
    await validateHar(har)
    expect(har.log.entries.map((e) => new URL(e.request.url).pathname)).toEqual(['/login', '/me'])
    const auth = har.log.entries[1]?.request.headers.find((h) => h.name.toLowerCase() === 'authorization')
    expect(auth?.value).toBeDefined()
    expect(auth?.value).not.toContain('tok-ada')
  })

  it('Ctrl+C cancels the run: exit 130 (as shells expect of SIGINT), and the summary says so', async () => {
    const before = server.hits('/slow')
    const r = await flightdeckWith(
      (kill) => {
        // Interrupt once requests are going out (the handler is installed by then), bounded in time.
        const deadline = Date.now() + 30_000
        const poll = setInterval(() => {
          if (server.hits('/slow') > before || Date.now() > deadline) {
            clearInterval(poll)
            kill('SIGINT')
          }
        }, 10)
      },
      'run',
      dir,
      'slow',
      '--iterations',
      '1000',
    )
    expect(r.code).toBe(130)
    expect(r.stdout).toContain('The run was cancelled.')
    expect(server.hits('/slow') - before).toBeLessThan(1000)
  })

  it('times only the requests that got a response, and says how many got none', async () => {
    let err = ''
    let out = ''
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 'unsent', '--iterations', '3', '--reporter', 'cli,json'], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    expect(code).toBe(1)
    // The request never sent (an unknown variable) has no latency: dashes, not 0.0 ms.
    expect(err).toMatch(/✗ unsent\/down\.yaml\s+0\s+3\s+—\s+—\s+—\s+—\n/)
    expect(err).toMatch(/✓ unsent\/up\.yaml\s+3\s+0\s+[\d.]+ m?s/)
    expect(err).toMatch(/3 passed, 3 failed · 3 got no response \(not sent or not answered: .*\) · p50 /)
    const json = JSON.parse(out) as JsonRunReport
    expect(json.stats.responses).toBe(3)
    expect(json.requests.map((r) => [r.path, r.responses])).toEqual([
      ['unsent/down.yaml', 0],
      ['unsent/up.yaml', 3],
    ])
  })

  it('draws a progress bar on a terminal only, and --help lists the command', async () => {
    let err = ''
    let out = ''
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), tty: true }
    // In this process, the engine's config folder is the test's, as the spawned runs' is.
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 'ok', '--env', 'local', '--iterations', '3'], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    expect(code).toBe(0)
    // eslint-disable-next-line no-control-regex -- the terminal's erase-line escape is what is checked
    expect(err).toMatch(/\r\x1b\[K\[#+-*\] \d+\/6 \d+%/)
    expect(err.endsWith('\r\x1b[K')).toBe(true)
    expect(out).toContain('6 passed, 0 failed')
    let help = ''
    expect(await runCli(['--help'], { out: (t) => void (help += t), err: () => undefined })).toBe(0)
    expect(help).toContain('flightdeck run <collection-dir> [path/in/collection]')
    let runHelp = ''
    expect(await runRunCli(['--help'], { out: (t) => void (runHelp += t), err: () => undefined })).toBe(0)
    expect(runHelp).toMatch(/exit codes: 0 every request passed, 1 an assertion or request failed/)
    expect(runHelp).toMatch(/130 \/ 143 cancelled by Ctrl\+C \/ SIGTERM/)
  })
})

// A request that asks for a callback with {{$webhook}} and waits for it: the CLI starts an inbox for the run.
describe('flightdeck run: waitForWebhook', { timeout: 120_000 }, () => {
  it('exit 0 when the callback comes and passes its checks; exit 1 when none comes in time', async () => {
    const callbacks = await startCallbackServer()
    const hooks = mkdtempSync(join(tmpdir(), 'fd-cli-hooks-'))
    const put = (rel: string, text: string): void => {
      mkdirSync(join(hooks, rel, '..'), { recursive: true })
      writeFileSync(join(hooks, rel), text)
    }
    try {
      put('collection.yaml', `flightdeck: 1\nname: Hooks\nvariables:\n  base: ${callbacks.url}\n`)
      const job = (delay: number, timeoutMs: number): string =>
        `name: Job\nmethod: POST\nurl: "{{base}}/subscribe?delay=${delay}"\nbody:\n  kind: json\n` +
        `  text: '{"callback": "{{$webhook}}", "event": "built"}'\nassertions:\n  - kind: status\n    equals: 202\n` +
        `waitForWebhook:\n  timeoutMs: ${timeoutMs}\n  assertions:\n    - kind: method\n      equals: POST\n` +
        `    - kind: json\n      path: $.event\n      equals: built\n`
      put('fast/job.yaml', job(100, 2000))
      put('late/job.yaml', job(1500, 300))
      const out = join(outRoot, 'hooks')
      const ok = await flightdeck('run', hooks, 'fast', '--reporter', 'json,cli', '--out', out)
      expect(ok.stderr).toMatch(/webhook inbox listening at http:\/\/127\.0\.0\.1:\d+\n/)
      expect(ok.code).toBe(0)
      expect(ok.stdout).toContain('1 passed, 0 failed')
      const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
      const r = json.results[0]
      expect(r?.webhook).toMatchObject({ timeoutMs: 2000, method: 'POST', path: '/done' })
      expect(r?.assertions.map((a) => [a.name, a.passed])).toEqual([
        ['status equals 202', true],
        ['webhook call within 2000 ms', true],
        ['webhook method equals POST', true],
        ['webhook $.event equals "built"', true],
      ])
      expect(callbacks.answered).toEqual([200])

      const late = await flightdeck('run', hooks, 'late')
      expect(late.code).toBe(1)
      expect(late.stdout).toContain('✗ late/job.yaml #1: No webhook call within 300 ms')

      // A fixed port is honoured; a port that is taken is bad input.
      const taken = await flightdeck(
        'run',
        hooks,
        'fast',
        '--webhook-port',
        String(new URL(callbacks.url).port),
      )
      expect(taken.code).toBe(2)
      expect(taken.stderr).toMatch(
        /^flightdeck: The webhook inbox cannot listen on 127\.0\.0\.1:\d+: the port is in use\n$/,
      )
    } finally {
      await callbacks.close()
      rmSync(hooks, { recursive: true, force: true })
    }
  })
})
