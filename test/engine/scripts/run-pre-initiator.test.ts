import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runImport } from '../../../src/engine/importers/index'
import type { EngineService } from '../../../src/engine/service'
import type { TimelineEvent } from '../../../src/shared/timeline'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService } from '../helpers'

/**
 * In a run, a pre-request script's pm.sendRequest is a session caused by the request it was sent for: the
 * request's id is reserved before the script runs.
 */

let stub: ScriptStub
let service: EngineService
let work: string
const events: TimelineEvent[] = []
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-run-pre-child-config-')) })
  service.subscribe((b) => events.push(...b.events))
  work = mkdtempSync(join(tmpdir(), 'fd-run-pre-child-'))
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

describe("pm.sendRequest in a run's pre-request script", () => {
  it('is a child of the request it was sent for', async () => {
    const collection = {
      info: { name: 'Seed', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
      variable: [{ key: 'base', value: stub.url }],
      item: [
        item('Seeded', 'prerequest', [
          "pm.sendRequest(pm.variables.get('base') + '/setup/seed', (err, res) => pm.variables.set('seed', res.json().seed))",
        ]),
      ],
    }
    const file = join(work, 'seed.postman_collection.json')
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
    const r = report?.results[0]
    const child = r?.scripts?.pre?.sentRequests[0]
    expect(child).toBeDefined()
    expect(r?.sid).toBeDefined()
    expect(events.find((e) => e.type === 'queued' && e.sid === child)).toMatchObject({ initiator: r?.sid })
  })
})
