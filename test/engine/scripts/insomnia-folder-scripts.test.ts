import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runImport } from '../../../src/engine/importers/index'
import type { EngineService } from '../../../src/engine/service'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService } from '../helpers'

/**
 * An Insomnia export whose folder carries scripts: the import keeps them in the folder's folder.yaml (no copy in
 * the requests) and a run runs them around each request below it, folder first (Postman's order, for both
 * phases; Insomnia runs after-response scripts request first).
 */

let stub: ScriptStub
let service: EngineService
let work: string
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-insomnia-scripts-config-')) })
  work = mkdtempSync(join(tmpdir(), 'fd-insomnia-scripts-'))
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
  rmSync(work, { recursive: true, force: true })
})

describe('Insomnia folder scripts', () => {
  it('are kept in folder.yaml and run around each request below it', async () => {
    const resources = [
      { _id: 'wrk_1', _type: 'workspace', name: 'Shop' },
      {
        _id: 'fld_1',
        _type: 'request_group',
        parentId: 'wrk_1',
        name: 'Orders',
        preRequestScript: "insomnia.request.headers.add({ key: 'X-Folder', value: 'orders' })",
        afterResponseScript:
          "insomnia.test('folder: 200', () => insomnia.expect(insomnia.response.code).to.equal(200))",
      },
      {
        _id: 'req_1',
        _type: 'request',
        parentId: 'fld_1',
        name: 'Legacy',
        method: 'GET',
        url: `${stub.url}/legacy`,
        afterResponseScript:
          "insomnia.test('request: count is 3', () => insomnia.expect(insomnia.response.json().count).to.equal(3))",
      },
    ]
    const file = join(work, 'insomnia.json')
    writeFileSync(file, JSON.stringify({ _type: 'export', __export_format: 4, resources }))
    const dir = join(work, 'into')
    const imported = await runImport({ file }, 'auto', dir, service.collections.secrets)
    if (!imported.ok) throw new Error(imported.error.message)
    const notes = imported.value.unmapped.join('\n')
    expect(notes).toContain(
      'Orders: folder scripts kept in folder.yaml; they run for every request below it, in the script sandbox',
    )
    expect(notes).not.toContain('not run')
    expect(readFileSync(join(dir, 'orders', 'folder.yaml'), 'utf8')).toContain("key: 'X-Folder'")
    expect(readFileSync(join(dir, 'orders', 'legacy.yaml'), 'utf8')).not.toContain('X-Folder')
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    stub.seen.length = 0
    const started = await service.invoke('run.start', {
      dir: opened.value.dir,
      path: '',
      concurrency: 1,
      iterations: 1,
    })
    if (!started.ok) throw new Error(started.error.message)
    const report = await service.waitForRun(started.value.runId)
    expect(stub.seen.at(-1)?.headers['x-folder']).toBe('orders')
    const r = report?.results[0]
    expect(r?.scripts?.post?.tests.map((t) => `${t.name}: ${t.passed}`)).toEqual([
      'folder: 200: true',
      'request: count is 3: true',
    ])
    expect(r?.passed).toBe(true)
  })
})
