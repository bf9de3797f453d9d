import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StepResult } from '../../src/engine/runner/run-step'
import type { EngineService } from '../../src/engine/service'
import { startScriptStub, type ScriptStub } from '../fixtures/scripts/script-stub'
import { makeService } from './helpers'

/**
 * The Insomnia export keeps request and folder scripts where Insomnia holds them (v5: `scripts: { preRequest,
 * afterResponse }` on the request and on the folder), so they survive the trip: the export imports back and a
 * run of it runs the same scripts, with the same tests passing, each at its level. The collection's own scripts
 * have no place in Insomnia: the export says so.
 */

let stub: ScriptStub
let service: EngineService
let work: string

beforeAll(async () => {
  stub = await startScriptStub()
  work = mkdtempSync(join(tmpdir(), 'fd-export-scripts-'))
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
  rmSync(work, { recursive: true, force: true })
})

function source(withCollectionScripts: boolean): string {
  const dir = join(work, withCollectionScripts ? 'src-col' : 'src')
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file(
    'collection.yaml',
    `flightdeck: 1
name: Shop
variables:
  base: ${stub.url}
${withCollectionScripts ? "scripts:\n  preRequest: |-\n    console.log('collection pre')\n" : ''}`,
  )
  file(
    'account/folder.yaml',
    `name: Account
scripts:
  preRequest: |-
    pm.request.headers.upsert({ key: 'Authorization', value: 'Bearer tok-acme' })
  test: |-
    pm.test('signed in', () => pm.response.to.have.status(200))
`,
  )
  file(
    'account/me.yaml',
    `name: Who am I
url: "{{base}}/me"
scripts:
  preRequest: |-
    pm.request.headers.upsert({ key: 'X-Who', value: 'me' })
  test: |-
    pm.test('is ada', () => pm.expect(pm.response.json().user).to.equal('ada'))
  translated: false
`,
  )
  return dir
}

async function open(dir: string): Promise<string> {
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
  return opened.value.dir
}

async function run(dir: string): Promise<StepResult[]> {
  const opened = { value: { dir: await open(dir) } }
  const started = await service.invoke('run.start', {
    dir: opened.value.dir,
    path: '',
    concurrency: 1,
    iterations: 1,
  })
  if (!started.ok) throw new Error(started.error.message)
  return (await service.waitForRun(started.value.runId))?.results ?? []
}

type Json = Record<string, unknown>

describe('Insomnia export: scripts', () => {
  it('request and folder scripts go where Insomnia keeps them, import back and run the same', async () => {
    const a = await open(source(false))
    const out = await service.invoke('export.collection', { dir: a, format: 'insomnia' })
    if (!out.ok) throw new Error(out.error.message)
    expect((out.value.skipped ?? []).filter((s) => /script/.test(s))).toEqual([])
    const doc = load(out.value.text) as { collection: Json[] }
    const folder = doc.collection[0] as Json & { children: Json[] }
    expect(folder['scripts']).toEqual({
      preRequest: "pm.request.headers.upsert({ key: 'Authorization', value: 'Bearer tok-acme' })",
      afterResponse: "pm.test('signed in', () => pm.response.to.have.status(200))",
    })
    expect(folder.children[0]?.['scripts']).toEqual({
      preRequest: "pm.request.headers.upsert({ key: 'X-Who', value: 'me' })",
      afterResponse: "pm.test('is ada', () => pm.expect(pm.response.json().user).to.equal('ada'))",
    })

    const back = join(work, 'back')
    const imported = await service.invoke('import.run', { format: 'auto', text: out.value.text, into: back })
    if (!imported.ok) throw new Error(imported.error.message)
    stub.seen.length = 0
    const results = await run(back)
    // The folder's pre-request script set the token the server wants, the request's its own header.
    expect(stub.seen[0]?.headers['authorization']).toBe('Bearer tok-acme')
    expect(stub.seen[0]?.headers['x-who']).toBe('me')
    expect(results[0]?.scripts?.post?.tests).toEqual([
      { name: 'signed in', passed: true, where: 'folder "Account"' },
      { name: 'is ada', passed: true },
    ])
    expect(results[0]?.passed).toBe(true)
  })

  it("the collection's own scripts have no place in Insomnia: the export says so", async () => {
    const out = await service.invoke('export.collection', {
      dir: await open(source(true)),
      format: 'insomnia',
    })
    if (!out.ok) throw new Error(out.error.message)
    expect(out.value.skipped).toContain(
      "collection.yaml: the collection's scripts not exported (Insomnia has scripts on folders and requests only; put them on a folder to keep them)",
    )
  })
})
