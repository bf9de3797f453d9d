import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { AuthSpec } from '../../src/shared/collection'
import type { RequestSpec } from '../../src/shared/request'
import { bodyText, done, makeService } from '../engine/helpers'
import { startHttpbin, type Httpbin } from '../fixtures/httpbin'

/**
 * This stop's request paths against Debian's httpbin, a server we did not write: what it says it received is the
 * check. A pasted curl, a collection's multipart file part, a redirect chain and the 2 GiB body limit.
 */

let httpbin: Httpbin
let service: EngineService
let dir: string

interface Echo {
  method: string
  args: Record<string, string>
  headers: Record<string, string>
  json: unknown
  files: Record<string, string>
  form: Record<string, string>
  url: string
}

async function sendAndRead(
  request: RequestSpec,
  context?: { dir: string; path: string },
  auth: AuthSpec = { type: 'inherit' },
): Promise<Echo> {
  const sent = await service.invoke('request.send', {
    request,
    auth,
    ...(context ? { context } : {}),
  })
  if (!sent.ok) throw new Error(sent.error.message)
  const sid = sent.value.sids[0]
  if (!sid) throw new Error('no sid')
  const result = await service.http.waitFor(sid)
  return JSON.parse(await bodyText(service, done(result))) as Echo
}

beforeAll(async () => {
  httpbin = await startHttpbin()
  dir = mkdtempSync(join(tmpdir(), 'fd-httpbin-'))
  mkdirSync(join(dir, 'payloads'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Peer\n')
  writeFileSync(join(dir, 'payloads', 'report.csv'), 'a,b\n1,2\n')
  service = makeService({ persistWorkspace: false, watchCollections: false, configDir: join(dir, 'config') })
  const opened = await service.invoke('collection.open', { dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
})

afterAll(async () => {
  await service?.dispose()
  await httpbin?.close()
})

describe('against httpbin', () => {
  it('a pasted curl arrives as the curl said: method, query, header, JSON body and basic auth', async () => {
    const curl = await service.invoke('draft.fromCurl', {
      text: `curl -X PATCH '${httpbin.url}/anything/users/7?notify=1' -H 'X-Trace: t-9' -u ann:s3cret --json '{"name":"Ann","n":12345678901234567890}'`,
    })
    if (!curl.ok) throw new Error(curl.error.message)
    const r = curl.value.request
    const echo = await sendAndRead(
      {
        method: r.method,
        url: r.url,
        headers: r.headers,
        body: r.body,
        options: {},
      },
      undefined,
      r.auth,
    )
    expect(echo.method).toBe('PATCH')
    expect(echo.args).toEqual({ notify: '1' })
    expect(echo.headers['X-Trace']).toBe('t-9')
    expect(echo.headers['Content-Type']).toMatch(/^application\/json/)
    expect(echo.json).toMatchObject({ name: 'Ann' })
    // Basic auth from -u became the request's auth, and went out as its header.
    expect(r.auth).toEqual({ type: 'basic', username: 'ann', password: 's3cret' })
    expect(echo.headers['Authorization']).toBe(`Basic ${Buffer.from('ann:s3cret').toString('base64')}`)
  })

  it("a collection's multipart file part sends the file from the collection folder", async () => {
    const echo = await sendAndRead(
      {
        method: 'POST',
        url: `${httpbin.url}/post`,
        headers: [],
        body: {
          kind: 'multipart',
          parts: [
            { kind: 'text', name: 'who', value: 'ann', enabled: true },
            { kind: 'file', name: 'report', path: 'payloads/report.csv', enabled: true },
          ],
        },
        options: {},
      },
      { dir, path: 'upload.yaml' },
    )
    expect(echo.form).toEqual({ who: 'ann' })
    expect(echo.files).toEqual({ report: 'a,b\n1,2\n' })
  })

  it('a file outside the collection is not sent: httpbin receives nothing', async () => {
    const outside = join(mkdtempSync(join(tmpdir(), 'fd-outside-')), 'secret.txt')
    writeFileSync(outside, 'do not send')
    const sent = await service.invoke('request.send', {
      request: {
        method: 'POST',
        url: `${httpbin.url}/post`,
        headers: [],
        body: { kind: 'file', path: outside },
        options: {},
      },
      auth: { type: 'inherit' },
      context: { dir, path: 'upload.yaml' },
    })
    expect(sent.ok).toBe(false)
    if (!sent.ok) expect(sent.error.code).toBe('file_outside')
  })

  it('a redirect chain is followed hop by hop to the final answer', async () => {
    const sent = await service.invoke('http.send', {
      request: {
        method: 'GET',
        url: `${httpbin.url}/redirect/2`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const result = await service.http.waitFor(sent.value.sids[0] ?? '')
    const final = done(result)
    expect(final.status).toBe(200)
    expect(result.sids).toHaveLength(3) // two redirects, then the answer: each hop its own row
    expect((JSON.parse(await bodyText(service, final)) as Echo).url).toBe(`${httpbin.url}/get`)
  })
})
