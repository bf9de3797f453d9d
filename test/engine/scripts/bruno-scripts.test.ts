import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runImport } from '../../../src/engine/importers/index'
import type { EngineService } from '../../../src/engine/service'
import type { TimelineEvent } from '../../../src/shared/timeline'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService } from '../helpers'

/**
 * A Bruno collection whose collection.bru and folder.bru carry scripts: the import keeps them at their level
 * (collection.yaml, folder.yaml) and a run runs them for the request below, in Postman's order: pre-request and
 * post-response collection → folder → request (Bruno's default "sandwich" flow runs post-response the other way).
 */

let stub: ScriptStub
let service: EngineService
let src: string
let dir: string
const events: TimelineEvent[] = []
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-bruno-scripts-config-')) })
  service.subscribe((b) => events.push(...b.events))
  src = mkdtempSync(join(tmpdir(), 'fd-bruno-src-'))
  dir = mkdtempSync(join(tmpdir(), 'fd-bruno-into-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(src, rel, '..'), { recursive: true })
    writeFileSync(join(src, rel), text)
  }
  file('bruno.json', JSON.stringify({ version: '1', name: 'Shop', type: 'collection' }))
  file(
    'collection.bru',
    `vars:pre-request {
  base: ${stub.url}
}

script:pre-request {
  req.setHeader("X-Legacy", "from-collection");
}

tests {
  test("collection: json", function () { expect(res.getHeader("content-type")).to.contain("json"); });
}
`,
  )
  file(
    'orders/folder.bru',
    `meta {
  name: Orders
}

tests {
  test("folder: 200", function () { expect(res.getStatus()).to.equal(200); });
}
`,
  )
  file(
    'orders/legacy.bru',
    `meta {
  name: Legacy
  type: http
  seq: 1
}

get {
  url: {{base}}/legacy
  body: none
  auth: none
}

tests {
  test("request: count is 3", function () { expect(res.getBody().count).to.equal(3); });
}
`,
  )
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
  rmSync(src, { recursive: true, force: true })
  rmSync(dir, { recursive: true, force: true })
})

describe('Bruno collection and folder scripts', () => {
  it('are kept at their level and run in order; the pre-request script event comes before the request is sent', async () => {
    const imported = await runImport({ file: src }, 'auto', dir, service.collections.secrets)
    if (!imported.ok) throw new Error(imported.error.message)
    expect(imported.value.unmapped.join('\n')).toContain(
      'collection.bru: scripts kept in collection.yaml; they run for every request below it, in the script sandbox',
    )
    // Each script once, at its level: no request file carries a copy.
    expect(readFileSync(join(dir, 'collection.yaml'), 'utf8')).toContain('req.setHeader("X-Legacy"')
    expect(readFileSync(join(dir, 'orders', 'folder.yaml'), 'utf8')).toContain('test("folder: 200"')
    expect(readFileSync(join(dir, 'orders', 'legacy.yaml'), 'utf8')).not.toMatch(/From|folder: 200/)
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
    expect(stub.seen.at(-1)?.headers['x-legacy']).toBe('from-collection')
    expect(r?.scripts?.post?.tests.map((t) => `${t.name}: ${t.passed}`)).toEqual([
      'collection: json: true',
      'folder: 200: true',
      'request: count is 3: true',
    ])
    expect(r?.passed).toBe(true)
    // On the request's session: its pre-request script before it was sent, its test scripts after it was done.
    await new Promise((done) => setTimeout(done, 50))
    const own = events
      .filter((e) => e.sid === r?.sid)
      .map((e) => (e.type === 'script' ? `script ${e.report.phase}` : e.type))
    expect(own.indexOf('script pre')).toBeGreaterThan(own.indexOf('queued'))
    expect(own.indexOf('script pre')).toBeLessThan(own.indexOf('request-sent'))
    expect(own.indexOf('script post')).toBeGreaterThan(own.indexOf('done'))
  })
})
