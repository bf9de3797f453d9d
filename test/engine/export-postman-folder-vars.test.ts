import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'

/**
 * Postman's runner reads no folder `variable` list, so a Postman export moves folder variables to the
 * collection's where that keeps every request's values, and says which it could not move.
 */

let work: string
let service: EngineService
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'fd-postman-folder-vars-'))
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
})
afterEach(async () => {
  await service.dispose()
  rmSync(work, { recursive: true, force: true })
})

/** A Flightdeck collection whose folders declare `tenant` and `region` (a Postman import reads none). */
function writeCollection(dir: string): void {
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', 'flightdeck: 1\nname: Tenants\n')
  for (const [name, tenant] of [
    ['Acme', 'acme'],
    ['Globex', 'globex'],
  ] as const) {
    file(`${tenant}/folder.yaml`, `name: ${name}\nvariables:\n  tenant: ${tenant}\n  region: eu\n`)
    file(
      `${tenant}/list.yaml`,
      `name: ${name} list\nmethod: GET\nurl: "http://127.0.0.1:9/{{tenant}}/{{region}}"\n`,
    )
  }
}

describe('folder variables in a Postman export', () => {
  it('one every folder gives the same value moves to the collection; one they disagree on stays and is named', async () => {
    const dir = join(work, 'a')
    writeCollection(dir)
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const out = await service.invoke('export.collection', { dir, format: 'postman' })
    if (!out.ok) throw new Error(out.error.message)
    const json = JSON.parse(out.value.text) as {
      variable?: { key: string; value: string }[]
      item: { name: string; variable?: { key: string; value: string }[] }[]
    }
    expect(json.variable).toEqual([{ key: 'region', value: 'eu' }])
    expect(json.item.map((i) => [i.name, i.variable])).toEqual([
      ['Acme', [{ key: 'tenant', value: 'acme' }]],
      ['Globex', [{ key: 'tenant', value: 'globex' }]],
    ])
    expect(out.value.skipped).toEqual([
      'acme: folder variables tenant kept on the folder, where Postman does not read them (other levels give them other values)',
      'globex: folder variables tenant kept on the folder, where Postman does not read them (other levels give them other values)',
    ])
  })
})
