import { existsSync, readdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engineTempRoot } from '../../src/engine/temp-files'
import { makeService, send, spec } from './helpers'

/**
 * An engine makes its temp folder when something first spills to disk, not when it starts: `flightdeck send`
 * of a small response touches no temp folder (it made one, and removed it at exit, on every start).
 */

let server: Server
let url = ''

beforeAll(async () => {
  server = createServer((_req, res) => res.end('{"ok":true}'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
})

function ourTempFolders(): string[] {
  const root = engineTempRoot()
  if (!existsSync(root)) return []
  return readdirSync(root).filter((n) => n.startsWith(`pid-${process.pid}-`))
}

describe('an engine that spills nothing', () => {
  it('makes no temp folder, starting or sending a small request', async () => {
    const service = makeService({ watchCollections: false, persistWorkspace: false })
    try {
      const r = await send(service, spec(url))
      expect(r.final.type).toBe('done')
      expect(ourTempFolders()).toEqual([])
    } finally {
      await service.dispose()
    }
  })
})
