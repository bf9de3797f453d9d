import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { isolatedService, send, spec } from './helpers'

/**
 * A HAR export says a body it leaves out in the size style of the command line's messages (shared/byte-words.ts):
 * its count grouped, the limit in KiB first with its count. It said `Body of 5000 bytes left out (over 1024)`.
 */

let server: Server
let url = ''
let root = ''
let service: EngineService
beforeAll(async () => {
  server = createServer((_req, res) => res.end('x'.repeat(5000)))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = mkdtempSync(join(tmpdir(), 'fd-har-size-words-'))
  service = isolatedService(root)
})
afterAll(async () => {
  await service.dispose()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

describe('A HAR export of a body over its limit', () => {
  it('says the body and the limit in the CLI’s size words', async () => {
    const r = await send(service, spec(`${url}/big`))
    service.flush()
    const har = await service.invoke('har.export', { sids: [r.final.sid], maxBodyBytes: 1024 })
    if (!har.ok) throw new Error(har.error.message)
    const doc = JSON.parse(har.value.har) as {
      log: { entries: { response: { content: { comment?: string } } }[] }
    }
    expect(doc.log.entries[0]?.response.content.comment).toBe(
      'Body of 5,000 bytes left out (over 1 KiB (1,024 bytes))',
    )
  })
})
