import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { RequestBody } from '../../src/shared/request'
import { makeService, spec } from '../engine/helpers'

/**
 * A multipart file part that names a named pipe (a FIFO shipped in a collection's archive, or one a local
 * process made where a collection's file is expected). A `file` body was already refused as 'not a file';
 * a multipart part was opened with fs.openAsBlob, whose open() waits for a writer that never comes: the send
 * never ended, and each one held one of libuv's four pool threads for good, so after four of them every file
 * read of the engine (body spill files, collection files) and every DNS lookup waited too. It is refused in
 * the same words as a `file` body, and the engine carries on.
 */

let root: string
let fifo: string
let server: Server
let url: string
let service: EngineService

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-fifo-'))
  fifo = join(root, 'avatar.png')
  execFileSync('mkfifo', [fifo])
  writeFileSync(join(root, 'note.txt'), 'hello from a file')
  server = createServer((req, res) => {
    let n = 0
    req.on('data', (c: Buffer) => (n += c.length))
    req.on('end', () => res.end(`received ${n}`))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`
  service = makeService()
})

afterAll(async () => {
  await service.dispose()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(root, { recursive: true, force: true })
})

function multipart(path: string): RequestBody {
  return {
    kind: 'multipart',
    parts: [
      { kind: 'text', name: 'note', value: 'hi', enabled: true },
      { kind: 'file', name: 'avatar', path, enabled: true },
    ],
  }
}

async function sendBody(
  body: RequestBody,
): Promise<{ type: string; message?: string; status?: number | undefined }> {
  const r = await service.invoke('http.send', { request: spec(url, { method: 'POST', body }) })
  if (!r.ok) return { type: 'refused', message: r.error.message }
  const result = await service.http.waitFor(r.value.sids[0] ?? '')
  const f = result.final
  return f.type === 'error'
    ? { type: 'error', message: f.message }
    : { type: f.type, status: f.type === 'done' ? f.status : undefined }
}

describe('a multipart file part that is a named pipe', () => {
  it('is refused as not a file, six times over, and the engine still sends files afterwards', async () => {
    const started = Date.now()
    const refusals = await Promise.all(Array.from({ length: 6 }, () => sendBody(multipart(fifo))))
    for (const r of refusals) {
      expect(r.type).toBe('error')
      expect(r.message).toContain(`${fifo} is not a file`)
    }
    expect(Date.now() - started).toBeLessThan(10_000)
    const fine = await sendBody(multipart(join(root, 'note.txt')))
    expect(fine).toMatchObject({ type: 'done', status: 200 })
  }, 30_000)
})
