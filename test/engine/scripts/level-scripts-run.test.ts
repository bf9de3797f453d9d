import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/cli/index'
import type { JsonRunReport } from '../../../src/cli/run-report'
import type { StepResult } from '../../../src/engine/runner/run-step'
import type { EngineService } from '../../../src/engine/service'
import type { ScriptEvent, TimelineEvent } from '../../../src/shared/timeline'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService, spec } from '../helpers'

/**
 * The collection's and a folder's own scripts (collection.yaml, folder.yaml) run around every request below
 * them, in Postman's order: pre-request collection → folder → request, tests collection → folder → request. In
 * a run, in a send from the app and in `flightdeck send --collection`; a failure names the level it came from.
 */

let stub: ScriptStub
let service: EngineService
let dir: string
let configDir: string
const events: TimelineEvent[] = []
const previousConfig = process.env['FLIGHTDECK_CONFIG_DIR']

beforeAll(async () => {
  stub = await startScriptStub()
  configDir = mkdtempSync(join(tmpdir(), 'fd-level-run-config-'))
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
  service = makeService({ configDir })
  service.subscribe((b) => events.push(...b.events))
  dir = mkdtempSync(join(tmpdir(), 'fd-level-run-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file(
    'collection.yaml',
    `flightdeck: 1
name: Levels
variables:
  base: ${stub.url}
  client: acme
scripts:
  preRequest: |-
    const token = 'tok-' + pm.collectionVariables.get('client')
    pm.collectionVariables.set('token', token)
    pm.request.headers.upsert({ key: 'Authorization', value: 'Bearer ' + token })
    console.log('collection pre for', pm.info.requestName)
  test: |-
    pm.test('answers in JSON', () => pm.response.to.be.json)
`,
  )
  file(
    'account/folder.yaml',
    `name: Account
scripts:
  preRequest: |-
    pm.request.headers.upsert({ key: 'X-Path', value: 'account' })
  test: |-
    pm.test('signed in', () => pm.response.to.have.status(200))
`,
  )
  file(
    'account/me.yaml',
    `name: Who am I
url: "{{base}}/me"
scripts:
  test: |-
    pm.test('is ada', () => pm.expect(pm.response.json().user).to.equal('ada'))
`,
  )
  file(
    'broken/folder.yaml',
    `name: Broken
scripts:
  preRequest: |-
    console.log('about to fail')
    notDefined.call()
`,
  )
  file('broken/ping.yaml', `name: Ping\nurl: "{{base}}/legacy"\n`)
  // A folder test that ends after the request's own script has started (a promise): still the folder's.
  file(
    'later/folder.yaml',
    `name: Later
scripts:
  test: |-
    pm.test('settles later', async () => pm.response.to.have.status(200))
`,
  )
  file(
    'later/one.yaml',
    `name: One
url: "{{base}}/me"
scripts:
  test: |-
    pm.test('own test', () => pm.expect(pm.response.json().user).to.equal('ada'))
`,
  )
  // An older import: the collection's script carried down into the request's text, each part marked.
  file(
    'old/carried.yaml',
    `name: Carried
url: "{{base}}/legacy"
scripts:
  test: |-
    // From the collection
    pm.test('carried: json', () => pm.response.to.be.json)
    // From request "Carried"
    pm.test('own: count', () => pm.expect(pm.response.json().count).to.equal(3))
    notDefinedEither()
  translated: false
`,
  )
})
afterAll(async () => {
  if (previousConfig === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
  else process.env['FLIGHTDECK_CONFIG_DIR'] = previousConfig
  await service.dispose()
  await stub.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

async function run(path: string, scripts = true): Promise<StepResult[]> {
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
  const started = await service.invoke('run.start', {
    dir: opened.value.dir,
    path,
    concurrency: 1,
    iterations: 1,
    ...(scripts ? {} : { scripts: false }),
  })
  if (!started.ok) throw new Error(started.error.message)
  return (await service.waitForRun(started.value.runId))?.results ?? []
}

async function scriptEvents(sid: string, count: number): Promise<ScriptEvent[]> {
  for (let i = 0; i < 200; i++) {
    const found = events.filter((e): e is ScriptEvent => e.type === 'script' && e.sid === sid)
    if (found.length >= count) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no ${count} script events for ${sid}`)
}

describe('collection and folder scripts', () => {
  it('a run: the token set in the collection pre-request reaches the server; tests in Postman order', async () => {
    stub.seen.length = 0
    const results = await run('account')
    expect(stub.seen[0]?.headers['authorization']).toBe('Bearer tok-acme')
    expect(stub.seen[0]?.headers['x-path']).toBe('account')
    const r = results[0]
    expect(r?.scripts?.post?.tests.map((t) => `${t.name}: ${t.passed}`)).toEqual([
      'answers in JSON: true',
      'signed in: true',
      'is ada: true',
    ])
    expect(r?.scripts?.pre?.console.map((l) => l.text)).toEqual(['collection pre for Who am I'])
    // A collection's or folder's console line says which script logged it.
    expect(r?.scripts?.pre?.console[0]?.where).toBe('the collection')
    // So does a test: its name stays as newman has it (runs compare by name), the level beside it.
    expect(r?.scripts?.post?.tests.map((t) => t.where)).toEqual([
      'the collection',
      'folder "Account"',
      undefined,
    ])
    expect(r?.passed).toBe(true)
  })

  it("a folder test that settles while the request's own script runs still names its folder", async () => {
    const results = await run('later')
    const tests = results[0]?.scripts?.post?.tests ?? []
    expect(tests.find((t) => t.name === 'settles later')?.where).toBe('folder "Later"')
    expect(tests.find((t) => t.name === 'own test')?.where).toBeUndefined()
  })

  it("run.json and JUnit name the level of a collection or folder test; the request's own stay plain", async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-level-run-out-'))
    try {
      const code = await runCli(['run', dir, 'account', '--reporter', 'json,junit', '--out', out], {
        out: () => undefined,
        err: () => undefined,
      })
      expect(code).toBe(0)
      const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
      const me = report.results.find((r) => r.name === 'Who am I')
      expect(me?.scripts?.post?.tests).toEqual([
        { name: 'answers in JSON', passed: true, where: 'the collection' },
        { name: 'signed in', passed: true, where: 'folder "Account"' },
        { name: 'is ada', passed: true },
      ])
      expect(me?.assertions.find((a) => a.name === 'signed in')?.where).toBe('folder "Account"')
      const junit = readFileSync(join(out, 'junit.xml'), 'utf8')
      expect(junit).toContain('name="Who am I › folder &quot;Account&quot; › signed in"')
      expect(junit).toContain('name="Who am I › the collection › answers in JSON"')
      expect(junit).toContain('name="Who am I › is ada"')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })

  it('a failing folder script is named: its folder and phase', async () => {
    const results = await run('broken')
    const failure = results[0]?.scripts?.pre?.failure
    expect(failure?.origin).toBe('folder')
    expect(failure?.message).toMatch(/^pre-request script of folder "Broken": ReferenceError/)
    expect(results[0]?.passed).toBe(false)
  })

  it('a request file from an older import, with carried-down parts, runs as before (each part its own script)', async () => {
    const results = await run('old')
    const post = results[0]?.scripts?.post
    // Collection test, then the request's own; the collection.yaml test runs first, as it does for every request.
    expect(post?.tests.map((t) => `${t.name}: ${t.passed}`)).toEqual([
      'answers in JSON: true',
      'carried: json: true',
      'own: count: true',
    ])
    expect(post?.failure?.message).toMatch(/^test script of request "Carried": ReferenceError/)
  })

  it('a carried-down part whose level now has its own script: the run warns, naming the request, before it starts', async () => {
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const started = await service.invoke('run.start', {
      dir: opened.value.dir,
      path: 'old',
      concurrency: 1,
      iterations: 1,
    })
    if (!started.ok) throw new Error(started.error.message)
    const warning =
      'request "Carried" (old/carried.yaml): its test script carries the collection\'s script down (the part after "// From the collection", from an older import) and collection.yaml has a test script of its own: both run, so that code runs twice. Remove the carried part from the request file.'
    expect(started.value.warnings).toEqual([warning])
    await service.waitForRun(started.value.runId)
    const snap = service.runSnapshot(started.value.runId)
    expect(snap.ok && snap.value.warnings).toEqual([warning])

    // The CLI's summary and run.json say it too; a run without such a request says nothing.
    const out = mkdtempSync(join(tmpdir(), 'fd-level-run-warn-'))
    try {
      let text = ''
      await runCli(['run', dir, 'old', '--reporter', 'cli,json', '--out', out], {
        out: (t) => void (text += t),
        err: (t) => void (text += t),
      })
      expect(text).toContain(`warning: ${warning}`)
      const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
      expect(report.warnings).toEqual([warning])
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
    const plain = await service.invoke('run.start', {
      dir: opened.value.dir,
      path: 'account',
      concurrency: 1,
      iterations: 1,
    })
    if (!plain.ok) throw new Error(plain.error.message)
    expect(plain.value.warnings).toBeUndefined()
    await service.waitForRun(plain.value.runId)
  })

  it('with scripts off, the run says which were not run and where they are kept', async () => {
    const results = await run('account', false)
    expect(results[0]?.scriptsNotRun?.message).toMatch(
      /^pre-request and test scripts not run: they are kept in collection\.yaml, folder "Account"'s folder\.yaml, the request file, untranslated/,
    )
  })

  it('a send from the app of a saved request runs its collection and folder scripts around its own', async () => {
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    stub.seen.length = 0
    const sent = await service.invoke('request.send', {
      request: spec(`{{base}}/me`),
      auth: { type: 'inherit' },
      context: { dir: opened.value.dir, path: 'account/me.yaml' },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] as string
    const [pre, post] = await scriptEvents(sid, 2)
    expect(stub.seen[0]?.headers['authorization']).toBe('Bearer tok-acme')
    expect(pre?.report.console.map((l) => l.text)).toEqual(['collection pre for Who am I'])
    expect(post?.report.tests.map((t) => t.name)).toEqual(['answers in JSON', 'signed in'])
  })

  it("a saved request's pre-request script sets a value its URL uses, and the send goes there", async () => {
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    stub.seen.length = 0
    const sent = await service.invoke('request.send', {
      request: spec(`{{base}}/{{whoSetByScript}}`),
      auth: { type: 'inherit' },
      scripts: { preRequest: "pm.environment.set('whoSetByScript', 'me')", translated: false },
      context: { dir: opened.value.dir, path: 'account/me.yaml' },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    await service.http.waitFor(sent.value.sids[0] as string)
    expect(stub.seen.map((r) => r.url)).toContain('/me')
  })

  it('a send from the app of such a request warns in its script console, once, naming the request', async () => {
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const sent = await service.invoke('request.send', {
      request: spec(`{{base}}/legacy`),
      auth: { type: 'inherit' },
      // The composer sends the request's scripts as its file has them.
      scripts: {
        test: "// From the collection\npm.test('carried: json', () => pm.response.to.be.json)",
        translated: false,
      },
      context: { dir: opened.value.dir, path: 'old/carried.yaml' },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const [post] = await scriptEvents(sent.value.sids[0] as string, 1)
    const warnings = post?.report.console.filter((l) => l.level === 'warn').map((l) => l.text)
    expect(warnings).toEqual([
      expect.stringMatching(
        /^request "Carried" \(old\/carried\.yaml\): its test script carries the collection's script down .*runs twice/,
      ),
    ])
  })

  it('flightdeck send --collection runs them; --no-scripts runs none', async () => {
    stub.seen.length = 0
    let out = ''
    const code = await runCli(['send', '--collection', dir, '--request', 'account/me'], {
      out: (t) => void (out += t),
      err: () => undefined,
    })
    expect(code).toBe(0)
    expect(stub.seen[0]?.headers['authorization']).toBe('Bearer tok-acme')
    expect(out).toContain(
      'Scripts:\n  ✓ the collection › answers in JSON\n  ✓ folder "Account" › signed in\n  ✓ is ada',
    )

    stub.seen.length = 0
    const plain = await runCli(['send', '--collection', dir, '--request', 'account/me', '--no-scripts'], {
      out: () => undefined,
      err: () => undefined,
    })
    expect(plain).toBe(0)
    expect(stub.seen[0]?.headers['authorization']).toBeUndefined()
  })
})
