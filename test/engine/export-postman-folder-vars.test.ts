import { mkdtempSync, rmSync } from 'node:fs'
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

const folder = (name: string, tenant: string, region: string): unknown => ({
  name,
  variable: [
    { key: 'tenant', value: tenant },
    { key: 'region', value: region },
  ],
  item: [
    { name: `${name} list`, request: { method: 'GET', url: 'http://127.0.0.1:9/{{tenant}}/{{region}}' } },
  ],
})

describe('folder variables in a Postman export', () => {
  it('one every folder gives the same value moves to the collection; one they disagree on stays and is named', async () => {
    const source = {
      info: {
        name: 'Tenants',
        schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
      },
      item: [folder('Acme', 'acme', 'eu'), folder('Globex', 'globex', 'eu')],
    }
    const dir = join(work, 'a')
    const imported = await service.invoke('import.run', {
      format: 'auto',
      text: JSON.stringify(source),
      into: dir,
    })
    if (!imported.ok) throw new Error(imported.error.message)
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
