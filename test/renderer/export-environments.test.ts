import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A Postman export from the app brings the collection's environments along, as Postman environment files
 * (Postman keeps them apart from the collection), secrets empty. Real engine, real folder.
 */

let engine: TestEngine
let store: AppStore
let work: string
let dir: string
const s = () => store.getState()

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fd-export-envs-'))
  dir = join(work, 'shop')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(join(dir, 'ping.yaml'), 'name: Ping\nmethod: GET\nurl: "{{base}}/ping"\n')
  writeFileSync(
    join(dir, 'environments', 'staging.yaml'),
    'name: Staging\nvariables:\n  base: https://staging.example\n  token:\n    secret: true\n',
  )
  engine = startEngine({ configDir: join(work, 'config') })
  store = engine.store()
  await openCollection(store, dir)
})
afterAll(async () => {
  await stopEngines()
  rmSync(work, { recursive: true, force: true })
})

describe('Postman export with environments', () => {
  it('hands back each environment as a Postman environment file, secrets empty', async () => {
    await s().exportCollection(dir, 'postman')
    const envs = s().exportResult?.environments ?? []
    expect(envs.map((e) => [e.id, e.name])).toEqual([['staging', 'Staging']])
    expect(JSON.parse(envs[0]?.text ?? '{}')).toEqual({
      name: 'Staging',
      values: [
        { key: 'base', value: 'https://staging.example', type: 'default', enabled: true },
        { key: 'token', value: '', type: 'secret', enabled: true },
      ],
      _postman_variable_scope: 'environment',
    })
  })
})
