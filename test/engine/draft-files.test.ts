import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService, send, spec } from './helpers'

/** The body file field: completion from the folder being typed, the file dialog, and a missing file named. */
describe('body file paths', () => {
  let root: string
  let service: EngineService
  let server: Fixture
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fd-paths-'))
    mkdirSync(join(root, 'payloads', 'images'), { recursive: true })
    writeFileSync(join(root, 'payloads', 'big.bin'), 'x')
    writeFileSync(join(root, 'payloads', 'body.json'), '{}')
    writeFileSync(join(root, 'payloads', '.hidden'), '')
    writeFileSync(join(root, 'collection.yaml'), 'flightdeck: 1\nname: Paths\n')
    service = makeService({
      persistWorkspace: false,
      watchCollections: false,
      configDir: join(root, 'config'),
    })
    server = await startHttpServer()
  })
  afterAll(async () => {
    await service.dispose()
    await server.close()
  })

  it('completes absolute paths from the folder typed, folders marked, hidden entries only when asked', async () => {
    const all = await service.invoke('draft.completePath', { partial: `${root}/payloads/` })
    if (!all.ok) throw new Error(all.error.message)
    expect(all.value.entries).toEqual([
      `${root}/payloads/big.bin`,
      `${root}/payloads/body.json`,
      `${root}/payloads/images/`,
    ])
    const some = await service.invoke('draft.completePath', { partial: `${root}/payloads/b` })
    expect(some.ok && some.value.entries).toEqual([`${root}/payloads/big.bin`, `${root}/payloads/body.json`])
    const hidden = await service.invoke('draft.completePath', { partial: `${root}/payloads/.h` })
    expect(hidden.ok && hidden.value.entries).toEqual([`${root}/payloads/.hidden`])
    const none = await service.invoke('draft.completePath', { partial: `${root}/no-such-folder/x` })
    expect(none.ok && none.value.entries).toEqual([])
  })

  it('completes a relative path from the collection folder of the request', async () => {
    const opened = await service.invoke('collection.open', { dir: root, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const r = await service.invoke('draft.completePath', {
      partial: 'payloads/bo',
      context: { dir: root, path: '' },
    })
    expect(r.ok && r.value.entries).toEqual(['payloads/body.json'])
  })

  it('has no file dialog outside the desktop app, and says so', async () => {
    const r = await service.invoke('draft.pickFile', {})
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('unsupported')
  })

  it('names a missing body file by its path', async () => {
    const missing = join(root, 'payloads', 'gone.bin')
    const result = await send(
      service,
      spec(`${server.url}/echo`, { method: 'POST', body: { kind: 'file', path: missing } }),
    )
    expect(result.final.type).toBe('error')
    if (result.final.type === 'error')
      expect(`${result.final.message} ${result.final.detail ?? ''}`).toContain(missing)
  })
})
