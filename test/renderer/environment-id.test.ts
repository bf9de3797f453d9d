import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadCollection } from '../../src/engine/collections/loader'
import { createCollection, saveEnvironment } from '../../src/engine/collections/store'
import { newEnvironmentId } from '../../src/renderer/environments/environment-id'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-env-id-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('a new environment gets an id of its own', () => {
  it('a second "Staging" does not replace the first; CON is a file Windows can hold', async () => {
    await createCollection(dir, 'Shop')
    const first = newEnvironmentId('Staging', [])
    await saveEnvironment(dir, first, 'Staging', [
      { name: 'baseUrl', value: 'https://a.example', secret: false },
    ])
    let { info } = await loadCollection(dir)
    const second = newEnvironmentId(
      'Staging',
      info.environments.map((e) => e.id),
    )
    await saveEnvironment(dir, second, 'Staging', [
      { name: 'baseUrl', value: 'https://b.example', secret: false },
    ])
    const con = newEnvironmentId('CON', [])
    await saveEnvironment(dir, con, 'CON', [])
    ;({ info } = await loadCollection(dir))
    expect(info.environments.map((e) => [e.id, e.variables[0]?.value ?? null]).sort()).toEqual([
      ['con-env', null],
      ['staging', 'https://a.example'],
      ['staging-2', 'https://b.example'],
    ])
    expect(newEnvironmentId('nul.prod', [])).toBe('nul-env.prod')
    expect(newEnvironmentId('Продакшн', [])).toBe('env')
  })
})
