import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService, spec } from './helpers'

const run = promisify(execFile)

/**
 * The composer's paste-in and copy-out: a pasted curl becomes the request, and the code copied out of an
 * unsaved request, run by the real curl, sends what the composer shows (checked at the server).
 */
describe('draft commands', () => {
  let server: Fixture
  let service: EngineService
  beforeAll(async () => {
    server = await startHttpServer()
    service = makeService({ persistWorkspace: false, watchCollections: false })
  })
  afterAll(async () => {
    await service.dispose()
    await server.close()
  })

  it('reads a pasted curl: method, URL, headers, JSON body and basic auth', async () => {
    const r = await service.invoke('draft.fromCurl', {
      text: `curl -X POST '${server.url}/echo?x=1' -H 'Content-Type: application/json' -H 'X-Trace: t1' -u ann:secret --data-raw '{"a":1}'`,
    })
    if (!r.ok) throw new Error(r.error.message)
    const req = r.value.request
    expect(req.method).toBe('POST')
    expect(req.url).toBe(`${server.url}/echo?x=1`)
    expect(req.headers.map((h) => [h.name, h.value])).toContainEqual(['X-Trace', 't1'])
    expect(req.body.kind).toBe('json')
    if (req.body.kind === 'json') expect(JSON.parse(req.body.text)).toEqual({ a: 1 })
    expect(req.auth).toEqual({ type: 'basic', username: 'ann', password: 'secret' })
  })

  it('refuses text that is not a curl command, saying so', async () => {
    const r = await service.invoke('draft.fromCurl', { text: 'wget http://127.0.0.1/' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/curl/)
  })

  it('an unsaved JSON request copied as curl sends application/json, not a form', async () => {
    const r = await service.invoke('draft.snippet', {
      request: spec(`${server.url}/echo`, { method: 'POST', body: { kind: 'json', text: '{"name":"x"}' } }),
      auth: { type: 'bearer', token: 'tok-1' },
      target: 'curl',
    })
    if (!r.ok) throw new Error(r.error.message)
    const before = server.requests.length
    // The snippet is shell text: run it as a person would paste it into a terminal.
    await run('bash', ['-c', r.value.text.replace(/\\\n/g, ' ')], { timeout: 10_000 })
    const got = server.requests[before]
    expect(got?.method).toBe('POST')
    expect(got?.headers['content-type']).toBe('application/json')
    expect(got?.headers['authorization']).toBe('Bearer tok-1')
    expect(got?.body.toString('utf8')).toBe('{"name":"x"}')
  })
})
