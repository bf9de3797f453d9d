import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { handleIpcCommand } from '../../src/engine/hosts/ipc-guard'
import { fileRendererLocation } from '../../src/engine/hosts/renderer-location'
import { makeService } from '../engine/helpers'

/**
 * One secret, followed everywhere it could leak: the collection folder, a Postman export, code snippets,
 * a HAR export, IPC refusal logs and error messages. It must be in none of them (it is only in the 0600
 * secrets file outside the collection, and on the wire).
 */

const SECRET = 'sk-live-5e3cd1a9f0-never-leak'

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? allFiles(p) : [p]
  })
}

describe('a secret variable never leaves through files, exports, logs or errors', () => {
  let server: Server
  let base: string
  let received: string[]
  let dir: string
  let configDir: string
  let service: EngineService

  beforeAll(async () => {
    received = []
    server = createServer((req, res) => {
      received.push(req.headers.authorization ?? '')
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('ok')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-leak-'))
    configDir = mkdtempSync(join(tmpdir(), 'fd-leak-config-'))
    service = makeService({ configDir, watchCollections: false })
  })
  afterEach(async () => {
    await service.dispose()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  })

  it('is sent on the wire and found nowhere else', async () => {
    const opened = await service.invoke('collection.open', { dir, create: true, name: 'Leaks' })
    if (!opened.ok) throw new Error(opened.error.message)
    await service.invoke('collection.saveFolder', {
      dir,
      path: '',
      variables: [{ name: 'apiKey', value: SECRET, secret: true }],
      auth: { type: 'bearer', token: '{{apiKey}}' },
    })
    await service.invoke('environment.save', {
      dir,
      id: 'prod',
      name: 'Prod',
      variables: [
        { name: 'base', value: base, secret: false },
        { name: 'again', value: SECRET, secret: true },
      ],
    })
    const created = await service.invoke('collection.createRequest', {
      dir,
      folder: '',
      request: {
        name: 'Me',
        kind: 'http',
        method: 'GET',
        url: '{{base}}/me?k={{again}}',
        description: '',
        headers: [],
        body: { kind: 'none' },
        auth: { type: 'inherit' },
        options: {},
        protocols: [],
        messages: [],
      },
    })
    if (!created.ok) throw new Error(created.error.message)
    const path = created.value.path

    // On the wire: the server got it.
    const sent = await service.invoke('request.send', {
      request: {
        method: 'GET',
        url: '{{base}}/me?k={{again}}',
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
      auth: { type: 'inherit' },
      context: { dir, path, env: 'prod' },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] as string
    await service.http.waitFor(sid)
    expect(received).toContain(`Bearer ${SECRET}`)

    // Not in any file of the collection folder.
    for (const f of allFiles(dir)) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET)
    // Not in a Postman export, nor in code snippets.
    const postman = await service.invoke('export.collection', { dir, format: 'postman' })
    expect(postman.ok && postman.value.text).not.toContain(SECRET)
    expect(postman.ok && postman.value.text.length).toBeGreaterThan(100)
    for (const target of ['curl', 'python-requests', 'javascript-fetch', 'go'] as const) {
      const snip = await service.invoke('export.request', { dir, path, target, env: 'prod' })
      if (!snip.ok) throw new Error(snip.error.message)
      expect(snip.value.text, target).not.toContain(SECRET)
      expect(snip.value.text, target).toContain('{{')
    }
    // Not in a HAR export (by default).
    const har = await service.invoke('har.export', { sids: [sid] })
    expect(har.ok && har.value.har).not.toContain(SECRET)
    expect(har.ok && har.value.har).toContain('[redacted]')
  })

  it('is not echoed in a refused IPC message log nor in a validation error', async () => {
    const lines: string[] = []
    const renderer = fileRendererLocation('/opt/flightdeck/out/renderer/index.html')
    const policy = { windowWebContentsId: 1, renderer }
    const sender = {
      webContentsId: 1,
      frame: { url: 'file:///opt/flightdeck/out/renderer/index.html', isMainFrame: true },
    }
    const bad = [
      { name: 'http.send', payload: { request: { url: SECRET, method: 'GET' }, extra: SECRET } },
      { name: `x-${SECRET}`, payload: {} },
      {
        name: 'http.send',
        payload: {
          request: {
            method: 'G E T',
            url: `http://x/?k=${SECRET}`,
            headers: [],
            body: { kind: 'none' },
            options: {},
          },
        },
      },
    ]
    for (const message of bad) {
      const r = await handleIpcCommand(service, sender, message, policy, (l) => lines.push(l))
      expect(r.ok).toBe(false)
      if (!r.ok) expect(`${r.error.message} ${r.error.detail ?? ''}`).not.toContain(SECRET)
    }
    const foreign = await handleIpcCommand(
      service,
      { ...sender, webContentsId: 9 },
      { name: 'http.send', payload: { secret: SECRET } },
      policy,
      (l) => lines.push(l),
    )
    expect(foreign.ok).toBe(false)
    expect(lines.length).toBeGreaterThan(0)
    for (const l of lines) expect(l).not.toContain(SECRET)
  })
})
