import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import type { RequestBody } from '../../src/shared/request'
import { done, makeService } from './helpers'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A collection's requests send files from the collection folder only (after links are followed), unless the
 * person allowed another folder; a request typed in an Untitled tab sends any file. The server records every
 * connection and body it receives, so a refusal is checked to have sent nothing at all.
 */

interface Received {
  connections: number
  bodies: string[]
}

let server: Server
let url = ''
const received: Received = { connections: 0, bodies: [] }
let base = ''
let dir = ''
let outside = ''
let service: EngineService

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.bodies.push(Buffer.concat(chunks).toString('utf8'))
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  server.on('connection', () => received.connections++)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`

  base = realpathSync(mkdtempSync(join(tmpdir(), 'flightdeck-confine-')))
  dir = join(base, 'collection')
  outside = join(base, 'outside')
  mkdirSync(join(dir, 'files'), { recursive: true })
  mkdirSync(outside)
  writeFileSync(join(dir, 'files', 'inside.txt'), 'inside bytes')
  writeFileSync(join(outside, 'secret.txt'), 'SECRET bytes')
  // A link to a file outside, and a linked folder that leads outside.
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'files', 'link-to-secret.txt'))
  symlinkSync(outside, join(dir, 'linked-folder'))
  service = makeService({ configDir: join(base, 'config'), persistWorkspace: false, watchCollections: false })
  const opened = await service.invoke('collection.open', { dir, create: true, name: 'Confined' })
  if (!opened.ok) throw new Error(opened.error.message)
})

afterAll(async () => {
  await service.dispose()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(base, { recursive: true, force: true })
})

beforeEach(() => {
  received.connections = 0
  received.bodies = []
})

let n = 0
/** A request file in the collection whose body is `body`; returns its path. */
async function saved(body: RequestBody, extra: Partial<SavedRequest> = {}): Promise<string> {
  const request: SavedRequest = { ...emptySavedRequest(`Upload ${++n}`), method: 'POST', url, body, ...extra }
  const r = await service.invoke('collection.createRequest', { dir, folder: '', request })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.path
}

async function sendSaved(path: string, body: RequestBody) {
  return service.invoke('request.send', {
    request: { method: 'POST', url, headers: [], body, options: {} },
    auth: { type: 'inherit' },
    context: { dir, path },
  })
}

/** Send from the collection and expect the refusal, with nothing reaching the server. */
async function expectRefused(body: RequestBody, named: string, leadsTo?: string): Promise<string> {
  const path = await saved(body)
  const r = await sendSaved(path, body)
  if (r.ok) throw new Error('the send was not refused')
  expect(r.error.code).toBe('file_outside')
  expect(r.error.message).toContain(named)
  expect(r.error.message).toContain(`outside the collection folder ${dir}`)
  expect(r.error.message).toMatch(/allow .* under File access/)
  if (leadsTo) expect(r.error.message).toContain(`it leads to ${leadsTo}`)
  expect(r.error.detail).toBe(outside)
  // Give a stray connection time to show up before asserting there was none.
  await new Promise((res) => setTimeout(res, 50))
  expect(received).toEqual({ connections: 0, bodies: [] })
  return r.error.message
}

async function sentBody(r: Awaited<ReturnType<typeof sendSaved>>): Promise<string> {
  if (!r.ok) throw new Error(r.error.message)
  done(await service.http.waitFor(r.value.sids[0] as string))
  return received.bodies.join('')
}

describe('a request from a collection sends files from its folder only', () => {
  it('refuses a file body with an absolute path outside', async () => {
    await expectRefused({ kind: 'file', path: join(outside, 'secret.txt') }, join(outside, 'secret.txt'))
  })

  it('refuses ../ that climbs out of the collection', async () => {
    await expectRefused(
      { kind: 'file', path: '../outside/secret.txt' },
      '../outside/secret.txt',
      join(outside, 'secret.txt'),
    )
  })

  it('refuses a link inside the collection that points at a file outside', async () => {
    await expectRefused(
      { kind: 'file', path: 'files/link-to-secret.txt' },
      'files/link-to-secret.txt',
      join(outside, 'secret.txt'),
    )
  })

  it('refuses a file reached through a linked folder that leads outside', async () => {
    await expectRefused(
      { kind: 'file', path: 'linked-folder/secret.txt' },
      'linked-folder/secret.txt',
      join(outside, 'secret.txt'),
    )
  })

  it('refuses a multipart file part outside, naming the part', async () => {
    const message = await expectRefused(
      {
        kind: 'multipart',
        parts: [
          { kind: 'text', name: 'note', value: 'hello', enabled: true },
          { kind: 'file', name: 'avatar', path: join(outside, 'secret.txt'), enabled: true },
        ],
      },
      join(outside, 'secret.txt'),
    )
    expect(message).toContain('Multipart part "avatar"')
  })

  it('refuses a path that a variable leads outside', async () => {
    const r = await service.invoke('collection.saveFolder', {
      dir,
      path: '',
      variables: [{ name: 'where', value: outside, secret: false }],
    })
    if (!r.ok) throw new Error(r.error.message)
    try {
      await expectRefused({ kind: 'file', path: '{{where}}/secret.txt' }, join(outside, 'secret.txt'))
    } finally {
      await service.invoke('collection.saveFolder', { dir, path: '', variables: [] })
    }
  })

  it('sends a file inside, a relative path resolving against the collection folder (not the cwd)', async () => {
    const path = await saved({ kind: 'file', path: 'files/inside.txt' })
    expect(await sentBody(await sendSaved(path, { kind: 'file', path: 'files/inside.txt' }))).toBe(
      'inside bytes',
    )
  })

  it('refuses an SSE stream whose POST body is a file outside, opening nothing', async () => {
    const body: RequestBody = { kind: 'file', path: join(outside, 'secret.txt') }
    const path = await saved(body, { kind: 'sse' })
    const r = await service.invoke('sse.open', {
      request: { method: 'POST', url, headers: [], body, options: {} },
      context: { dir, path },
    })
    expect(r.ok ? 'opened' : r.error.code).toBe('file_outside')
    await new Promise((res) => setTimeout(res, 50))
    expect(received.connections).toBe(0)
  })

  it('a run fails the step unsent, with the same message', async () => {
    const runDir = join(base, 'run-collection')
    const opened = await service.invoke('collection.open', { dir: runDir, create: true, name: 'Run' })
    if (!opened.ok) throw new Error(opened.error.message)
    const request: SavedRequest = {
      ...emptySavedRequest('Upload'),
      method: 'POST',
      url,
      body: { kind: 'file', path: join(outside, 'secret.txt') },
    }
    const created = await service.invoke('collection.createRequest', { dir: runDir, folder: '', request })
    if (!created.ok) throw new Error(created.error.message)
    const started = await service.invoke('run.start', {
      dir: runDir,
      path: '',
      concurrency: 1,
      iterations: 1,
    })
    if (!started.ok) throw new Error(started.error.message)
    const report = await service.runs.wait(started.value.runId)
    expect(report?.results).toHaveLength(1)
    const result = report?.results[0]
    expect(result?.passed).toBe(false)
    expect(result?.error?.code).toBe('file_outside')
    expect(result?.error?.message).toContain(`outside the collection folder ${runDir}`)
    expect(received).toEqual({ connections: 0, bodies: [] })
  })
})

describe('imported collections', () => {
  it('an absolute file path from a Postman export is kept as written and refused on send until allowed', async () => {
    const into = join(base, `imported-${++n}`)
    const file = join(base, `postman-${n}.json`)
    const schema = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'
    const secret = join(outside, 'secret.txt')
    writeFileSync(
      file,
      JSON.stringify({
        info: { name: 'Imported', schema },
        item: [
          {
            name: 'Upload',
            request: { method: 'POST', url, body: { mode: 'file', file: { src: secret } } },
          },
        ],
      }),
    )
    const imported = await service.invoke('import.run', { format: 'auto', file, into })
    if (!imported.ok) throw new Error(imported.error.message)
    const read = await service.invoke('collection.read', { dir: into, path: 'upload.yaml' })
    if (!read.ok) throw new Error(read.error.message)
    expect(read.value.request.body).toEqual({ kind: 'file', path: secret })
    const r = await service.invoke('request.send', {
      request: { method: 'POST', url, headers: [], body: read.value.request.body, options: {} },
      auth: { type: 'inherit' },
      context: { dir: into, path: 'upload.yaml' },
    })
    expect(r.ok ? 'sent' : r.error.code).toBe('file_outside')
    await new Promise((res) => setTimeout(res, 50))
    expect(received).toEqual({ connections: 0, bodies: [] })
  })
})

describe('what the person chose', () => {
  it('a folder the person allowed is sent from, and forgetting it refuses again', async () => {
    const body: RequestBody = { kind: 'file', path: join(outside, 'secret.txt') }
    const path = await saved(body)
    const allowed = await service.invoke('files.allow', { folder: outside })
    expect(allowed).toEqual({ ok: true, value: { folders: [outside] } })
    try {
      expect(await sentBody(await sendSaved(path, body))).toBe('SECRET bytes')
      // Also through the link inside the collection, which leads there.
      received.bodies = []
      const linked: RequestBody = { kind: 'file', path: 'files/link-to-secret.txt' }
      expect(await sentBody(await sendSaved(path, linked))).toBe('SECRET bytes')
    } finally {
      const forgot = await service.invoke('files.forget', { folder: outside })
      expect(forgot).toEqual({ ok: true, value: { folders: [] } })
    }
    received.connections = 0
    received.bodies = []
    await expectRefused(body, join(outside, 'secret.txt'))
  })

  it('allowing a folder needs an existing folder named by its full path', async () => {
    const relative = await service.invoke('files.allow', { folder: 'outside' })
    expect(relative.ok ? 'allowed' : relative.error.code).toBe('invalid_request')
    const missing = await service.invoke('files.allow', { folder: join(base, 'nope') })
    expect(missing.ok ? 'allowed' : missing.error.message).toBe(`${join(base, 'nope')} does not exist`)
    expect(await service.invoke('files.allowed', {})).toEqual({ ok: true, value: { folders: [] } })
  })

  it('a request typed in an Untitled tab sends any file, even with a collection chosen', async () => {
    const body: RequestBody = { kind: 'file', path: join(outside, 'secret.txt') }
    const withScope = await service.invoke('request.send', {
      request: { method: 'POST', url, headers: [], body, options: {} },
      auth: { type: 'inherit' },
      context: { dir, path: '' },
    })
    expect(await sentBody(withScope)).toBe('SECRET bytes')
    received.bodies = []
    const plain = await service.invoke('http.send', {
      request: { method: 'POST', url, headers: [], body, options: {} },
    })
    expect(await sentBody(plain)).toBe('SECRET bytes')
  })

  it('the allowed folders are kept in the config dir and come back after a restart', async () => {
    const configDir = join(base, 'persisted-config')
    const first = makeService({ configDir, watchCollections: false })
    try {
      expect((await first.invoke('files.allow', { folder: outside })).ok).toBe(true)
    } finally {
      await first.dispose()
    }
    const second = makeService({ configDir, watchCollections: false })
    try {
      expect(await second.invoke('files.allowed', {})).toEqual({ ok: true, value: { folders: [outside] } })
    } finally {
      await second.dispose()
    }
  })
})
