import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { until } from './engine-client'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * File access through the store against a real engine and a server that records what it receives: a saved
 * request naming a file outside its collection is refused with the folder to allow; "Allow files from …"
 * allows it, the refusal goes, and the next send uploads the file. The setting lists and removes folders.
 */

let server: Server
let url = ''
const bodies: string[] = []
let base = ''
let dir = ''
let outside = ''
let engine: TestEngine
let store: AppStore
const s = () => store.getState()

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'))
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`
  base = realpathSync(mkdtempSync(join(tmpdir(), 'fd-file-access-')))
  dir = join(base, 'collection')
  outside = join(base, 'outside')
  mkdirSync(dir)
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), 'SECRET bytes')
  writeFileSync(join(dir, 'collection.yaml'), 'name: Files\n')
  writeFileSync(
    join(dir, 'upload.yaml'),
    `name: Upload\nmethod: POST\nurl: ${url}\nbody:\n  kind: file\n  path: ../outside/secret.txt\n`,
  )
  engine = startEngine({ configDir: join(base, 'config') })
  store = engine.store()
  await openCollection(store, dir)
})

afterAll(async () => {
  await stopEngines()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(base, { recursive: true, force: true })
})

describe('file access in the app', () => {
  it('a refused send offers the folder; allowing it clears the refusal and the next send uploads', async () => {
    await s().openRequest(dir, 'upload.yaml')
    await s().send()
    expect(s().sendError).toMatchObject({ code: 'file_outside', detail: outside })
    expect(s().sendError?.message).toContain('../outside/secret.txt')
    expect(s().sendError?.message).toContain(`allow ${outside} under File access`)
    expect(s().refusedFolder()).toBe(outside)
    expect(bodies).toEqual([])

    expect(await s().allowRefusedFolder()).toBe(true)
    expect(s().sendError).toBeNull()
    expect(s().allowedFolders).toEqual([outside])
    await s().send()
    expect(s().sendError).toBeNull()
    await until(() => bodies.length === 1)
    expect(bodies).toEqual(['SECRET bytes'])
  })

  it('the setting lists, refuses a relative folder, and removes folders', async () => {
    await s().loadAllowedFolders()
    expect(s().allowedFolders).toEqual([outside])
    expect(await s().allowFolder('outside')).toBe(false)
    expect(s().fileAccessError).toBe('Name the folder to allow by its full path, not outside')
    await s().forgetFolder(outside)
    expect(s().allowedFolders).toEqual([])
    expect(s().fileAccessError).toBeNull()
    await s().send()
    expect(s().sendError?.code).toBe('file_outside')
  })
})
