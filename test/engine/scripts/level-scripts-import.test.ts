import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runImport } from '../../../src/engine/importers/index'
import { MemorySecretStore } from '../../../src/engine/secrets/secret-store'
import type { EngineService } from '../../../src/engine/service'
import { startScriptStub, type ScriptStub, type SeenRequest } from '../../fixtures/scripts/script-stub'
import { makeService } from '../helpers'

/**
 * A Postman collection with a collection pre-request script (it sets the bearer token), a collection test, a
 * folder pre-request and test, and request tests: the import keeps each at its level (collection.yaml,
 * folder.yaml, the request files, no copies), a run sends the token the collection script set, and its tests
 * are newman's, by request and name, pass for pass, against the same stub.
 */

const require = createRequire(import.meta.url)
type NewmanRun = (
  options: { collection: unknown; reporters: string[]; timeout?: number },
  done: (err: Error | null) => void,
) => {
  on: (
    event: 'assertion',
    listener: (err: Error | null, a: { item: { name: string }; assertion: string }) => void,
  ) => void
}
const newman = (): { run: NewmanRun } => require('newman') as { run: NewmanRun }
const fixture = fileURLToPath(
  new URL('../../fixtures/scripts/level-scripts.postman_collection.json', import.meta.url),
)

let stub: ScriptStub
let service: EngineService
let dir: string
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-level-import-config-')) })
  dir = mkdtempSync(join(tmpdir(), 'fd-level-import-'))
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
  rmSync(dir, { recursive: true, force: true })
})

function collection(): unknown {
  const data = JSON.parse(readFileSync(fixture, 'utf8')) as { variable: { key: string; value: string }[] }
  data.variable = data.variable.map((v) => (v.key === 'baseUrl' ? { key: 'baseUrl', value: stub.url } : v))
  return data
}

function what(seen: readonly SeenRequest[]): string[] {
  return seen.map(
    (s) => `${s.method} ${s.url} [${String(s.headers['authorization'])}; ${String(s.headers['x-path'])}]`,
  )
}

function newmanRun(): Promise<string[]> {
  const tests: string[] = []
  return new Promise((resolve, reject) => {
    newman()
      .run({ collection: collection(), reporters: [], timeout: 30_000 }, (err) =>
        err ? reject(err) : resolve(tests),
      )
      .on('assertion', (err, a) => tests.push(`${a.item.name}: ${a.assertion}: ${err ? 'fail' : 'pass'}`))
  })
}

describe('Postman collection and folder scripts are imported at their level', () => {
  it('the files hold each script once, at its level', async () => {
    const imported = await runImport(
      { text: JSON.stringify(collection()) },
      'auto',
      dir,
      new MemorySecretStore(),
    )
    if (!imported.ok) throw new Error(imported.error.message)
    const col = readFileSync(join(dir, 'collection.yaml'), 'utf8')
    expect(col).toMatch(/scripts:\n {2}preRequest: \|-\n {4}\/\/ Every request of the API needs/)
    expect(col).toContain("pm.test('answers in JSON', function () {")
    const folder = readFileSync(join(dir, 'account', 'folder.yaml'), 'utf8')
    expect(folder).toContain("pm.request.headers.upsert({ key: 'X-Path'")
    expect(folder).toContain("pm.test('signed in', function () {")
    const me = readFileSync(join(dir, 'account', 'who-am-i.yaml'), 'utf8')
    expect(me).toContain("pm.test('is ada', function () {")
    // No request file carries a copy of the collection's or the folder's scripts.
    const requestFiles = [
      ...readdirSync(join(dir, 'account')).map((f) => join(dir, 'account', f)),
      join(dir, 'legacy.yaml'),
    ].filter((f) => !f.endsWith('folder.yaml'))
    for (const f of requestFiles) {
      const text = readFileSync(f, 'utf8')
      expect(text).not.toContain('// From')
      expect(text).not.toContain('Bearer')
    }
    const lines = imported.value.unmapped.join('\n')
    expect(lines).toContain(
      'collection: pre-request script (runs for every request below it) kept in collection.yaml; it runs in the script sandbox',
    )
    expect(lines).toContain(
      'Account: pre-request script (runs for every request below it) kept in folder.yaml; it runs in the script sandbox',
    )
  })

  it('a run sends what newman sends (the token the collection script set) and the same tests pass, by name', async () => {
    stub.seen.length = 0
    const theirs = await newmanRun()
    const theirRequests = what(stub.seen)
    stub.seen.length = 0
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const started = await service.invoke('run.start', {
      dir: opened.value.dir,
      path: '',
      concurrency: 1,
      iterations: 1,
    })
    if (!started.ok) throw new Error(started.error.message)
    const results = (await service.waitForRun(started.value.runId))?.results ?? []
    const ours = results.flatMap((r) =>
      [...(r.scripts?.pre?.tests ?? []), ...(r.scripts?.post?.tests ?? [])].map(
        (t) => `${r.name}: ${t.name}: ${t.passed ? 'pass' : 'fail'}`,
      ),
    )
    expect(what(stub.seen)).toEqual(theirRequests)
    expect(theirRequests[0]).toMatch(/^GET \/me \[Bearer tok-acme; account:\/me\]$/)
    expect(ours).toEqual(theirs)
    expect(ours).toEqual([
      'Who am I: answers in JSON: pass',
      'Who am I: signed in: pass',
      'Who am I: is ada: pass',
      'Roles: answers in JSON: pass',
      'Roles: signed in: pass',
      'Roles: is an admin: pass',
      'Legacy: answers in JSON: pass',
    ])
  })

  it('exports write them at their level again: Postman event lists, Bruno collection.bru and folder.bru', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-level-export-'))
    try {
      const opened = await service.invoke('collection.open', { dir })
      if (!opened.ok) throw new Error(opened.error.message)
      const file = join(out, 'levels.postman_collection.json')
      const postman = await service.invoke('export.collection', {
        dir: opened.value.dir,
        format: 'postman',
        file,
      })
      if (!postman.ok) throw new Error(postman.error.message)
      type Item = { name: string; event?: { listen: string; script: { exec: string[] } }[]; item?: Item[] }
      const json = JSON.parse(readFileSync(file, 'utf8')) as Item
      const events = (i: Item | undefined): string[] =>
        (i?.event ?? []).map((e) => `${e.listen}: ${e.script.exec[0] ?? ''}`)
      expect(events(json)).toEqual([
        "prerequest: // Every request of the API needs the client's bearer token.",
        "test: pm.test('answers in JSON', function () {",
      ])
      const account = json.item?.find((i) => i.name === 'Account')
      expect(events(account)).toEqual([
        "prerequest: pm.request.headers.upsert({ key: 'X-Path', value: 'account:' + pm.request.url.getPath() });",
        "test: pm.test('signed in', function () {",
      ])
      // The requests carry their own scripts only.
      expect(events(account?.item?.[0])).toEqual(["test: pm.test('is ada', function () {"])

      const bruno = await service.invoke('export.collection', {
        dir: opened.value.dir,
        format: 'bruno',
        file: join(out, 'bruno'),
      })
      if (!bruno.ok) throw new Error(bruno.error.message)
      expect(readFileSync(join(out, 'bruno', 'collection.bru'), 'utf8')).toContain(
        "script:pre-request {\n  // Every request of the API needs the client's bearer token.",
      )
      const folderBru = readFileSync(join(out, 'bruno', 'account', 'folder.bru'), 'utf8')
      expect(folderBru).toContain("tests {\n  pm.test('signed in', function () {")
      expect(readFileSync(join(out, 'bruno', 'account', 'who-am-i.bru'), 'utf8')).not.toContain('signed in')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
