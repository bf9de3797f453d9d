import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The export dialog's state: after an export, every file or part it left out is there to list (before, only
 * a `_flightdeck_skipped` key inside the Postman JSON said so). Real engine, real folder.
 */

let engine: TestEngine
let store: AppStore
let dir: string
let work: string
const s = () => store.getState()

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fd-export-ui-'))
  dir = join(work, 'shop')
  mkdirSync(dir)
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(
    join(dir, 'login.yaml'),
    'name: Login\nmethod: POST\nurl: http://127.0.0.1:1/login\nassertions:\n  - kind: status\n    equals: 200\n',
  )
  // A file that does not parse: no export can carry it.
  writeFileSync(join(dir, 'broken.yaml'), 'name: Broken\nmethod: [not, a, method]\n')
  engine = startEngine({ configDir: join(work, 'config') })
  store = engine.store()
  await openCollection(store, dir)
})
afterAll(async () => {
  await stopEngines()
  rmSync(work, { recursive: true, force: true })
})

describe('export dialog state', () => {
  it('lists what a Postman export skipped', async () => {
    const text = await s().exportCollection(dir, 'postman')
    expect(text).toContain('"name": "Login"')
    expect(s().exportResult?.skipped).toEqual([expect.stringMatching(/^broken\.yaml: not exported/)])
  })

  it('lists what an Insomnia export could not carry, per request', async () => {
    await s().exportCollection(dir, 'insomnia')
    expect(s().exportResult).toMatchObject({ dir, format: 'insomnia' })
    expect(s().exportResult?.skipped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^broken\.yaml: not exported/),
        'login.yaml: assertions not exported (Insomnia has no such field)',
      ]),
    )
  })

  it('writes a Bruno folder, says where, and a refusal is shown as an error with nothing written', async () => {
    const folder = join(work, 'bruno')
    await s().exportCollection(dir, 'bruno', folder)
    expect(s().exportResult).toMatchObject({ format: 'bruno', file: folder })
    expect(readdirSync(folder).sort()).toEqual(['bruno.json', 'collection.bru', 'login.bru'])
    expect(await s().exportCollection(dir, 'bruno', folder)).toBeNull()
    expect(s().exportError).toContain('is not empty')
    expect(s().exportResult).toBeNull()
  })
})
