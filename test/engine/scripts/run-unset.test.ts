import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runImport } from '../../../src/engine/importers/index'
import type { EngineService } from '../../../src/engine/service'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService } from '../helpers'

/**
 * A run whose scripts unset variables: a value a script set earlier in the run and one the collection itself
 * defines are both gone for the requests after the one whose script unset them, as in Postman and newman.
 */

let stub: ScriptStub
let service: EngineService
let work: string
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-run-unset-config-')) })
  work = mkdtempSync(join(tmpdir(), 'fd-run-unset-'))
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
  rmSync(work, { recursive: true, force: true })
})

const item = (name: string, listen: 'prerequest' | 'test', exec: string[]): unknown => ({
  name,
  event: [{ listen, script: { type: 'text/javascript', exec } }],
  request: { method: 'GET', url: '{{base}}/legacy' },
})

describe('pm.*.unset in a run', () => {
  it('carries to the requests after it', async () => {
    const collection = {
      info: { name: 'Unset', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
      variable: [
        { key: 'base', value: stub.url },
        { key: 'token', value: 'from-the-collection' },
      ],
      item: [
        item('Set', 'prerequest', ["pm.collectionVariables.set('made', 'by-a-script')"]),
        item('Drop', 'prerequest', [
          "pm.collectionVariables.unset('made')",
          "pm.collectionVariables.unset('token')",
        ]),
        item('Check', 'test', [
          "pm.test('made is gone', () => pm.expect(pm.variables.has('made')).to.equal(false))",
          "pm.test('token is gone', () => pm.expect(pm.variables.get('token')).to.equal(undefined))",
        ]),
      ],
    }
    const file = join(work, 'unset.postman_collection.json')
    writeFileSync(file, JSON.stringify(collection))
    const dir = join(work, 'into')
    const imported = await runImport({ file }, 'auto', dir, service.collections.secrets)
    if (!imported.ok) throw new Error(imported.error.message)
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const started = await service.invoke('run.start', {
      dir: opened.value.dir,
      path: '',
      concurrency: 1,
      iterations: 1,
    })
    if (!started.ok) throw new Error(started.error.message)
    const report = await service.waitForRun(started.value.runId)
    const check = report?.results.find((r) => r.name === 'Check')
    expect(check?.scripts?.post?.tests).toEqual([
      { name: 'made is gone', passed: true },
      { name: 'token is gone', passed: true },
    ])
  })
})
