import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SessionRequest } from '../../src/shared/body-view'
import { done } from './helpers'
import { harOfUpload } from './har-upload-entry'
import { useImportTarget, type Arrived, type Stub } from './import-formats-helpers'
import type { EngineService } from '../../src/engine/service'

/**
 * Edit as new request opens what was sent (or recorded) in the composer. A literal `{{apiKey}}` in it is text,
 * not a variable: sent again from a collection whose `apiKey` is the reader's secret, the braces go, the secret
 * never does.
 */

const target = useImportTarget('fd-edit-literal')
const SECRET = 'reader-secret-42'

/** A collection of the reader's, open, with an `apiKey` of its own, to send from. */
async function readerCollection(service: EngineService, dir: string): Promise<void> {
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Reader\nvariables:\n  apiKey: ${SECRET}\n`,
  )
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
}

async function editAsNew(service: EngineService, sid: string): Promise<SessionRequest> {
  const r = await service.invoke('session.request', { sid })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

/** Send `req` as the composer does from a new tab of the reader's collection, and return what arrived. */
async function sendFromComposer(
  service: EngineService,
  stub: Stub,
  dir: string,
  req: SessionRequest,
): Promise<Arrived & { sid: string }> {
  const before = stub.arrived.length
  const r = await service.invoke('request.send', {
    request: { method: req.method, url: req.url, headers: req.headers, body: req.body, options: {} },
    auth: { type: 'none' },
    context: { dir, path: '' },
  })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  const sid = r.value.sids[0] ?? ''
  done(await service.http.waitFor(sid))
  const got = stub.arrived[before]
  if (!got) throw new Error('nothing arrived')
  return { ...got, sid }
}

function recordedJson(url: string): string {
  const har = JSON.parse(
    harOfUpload(url, { mimeType: 'application/json', params: [], text: '{"token":"{{apiKey}}"}' }),
  ) as { log: { entries: { request: { headers: { name: string; value: string }[] } }[] } }
  har.log.entries[0]?.request.headers.push({ name: 'X-Api-Key', value: '{{apiKey}}' })
  return JSON.stringify(har)
}

describe('Edit as new request keeps a literal {{ as text', () => {
  it('a HAR opened onto the timeline: URL, header and JSON body send their braces, not the reader’s apiKey', async () => {
    const { service, stub, dir } = target
    await readerCollection(service, dir)
    const onto = await service.invoke('har.import', {
      text: recordedJson(`${stub.url}/api?key={{apiKey}}`),
      name: 'recorded.har',
    })
    if (!onto.ok) throw new Error(onto.error.message)
    const got = await sendFromComposer(service, stub, dir, await editAsNew(service, onto.value.sids[0] ?? ''))
    expect(got.url).toBe('/api?key={{apiKey}}')
    expect(got.headers['x-api-key']).toBe('{{apiKey}}')
    expect(got.body).toBe('{"token":"{{apiKey}}"}')
    expect(JSON.stringify(got)).not.toContain(SECRET)
  })

  it('a HAR upload’s text part sends its braces', async () => {
    const { service, stub, dir } = target
    await readerCollection(service, dir)
    const text = harOfUpload(`${stub.url}/upload`, {
      mimeType: 'multipart/form-data; boundary=----rec',
      params: [{ name: 'note', value: 'key {{apiKey}}' }],
    })
    const onto = await service.invoke('har.import', { text, name: 'upload.har' })
    if (!onto.ok) throw new Error(onto.error.message)
    const req = await editAsNew(service, onto.value.sids[0] ?? '')
    // The composer drops the recorded multipart Content-Type (its boundary is the recording's).
    const headers = req.headers.filter((h) => h.name.toLowerCase() !== 'content-type')
    const got = await sendFromComposer(service, stub, dir, { ...req, headers })
    expect(got.body).toContain('key {{apiKey}}')
    expect(got.body).not.toContain(SECRET)
  })

  it('a request sent with escaped braces sends the same braces when edited as new', async () => {
    const { service, stub, dir } = target
    await readerCollection(service, dir)
    const first = await sendFromComposer(service, stub, dir, {
      method: 'POST',
      url: `${stub.url}/echo?q=\\{{apiKey}}`,
      headers: [{ name: 'X-Template', value: '\\{{apiKey}}', enabled: true }],
      body: { kind: 'form', fields: [{ name: 'field', value: '\\{{apiKey}}', enabled: true }] },
    })
    expect(first.headers['x-template']).toBe('{{apiKey}}')
    const again = await sendFromComposer(service, stub, dir, await editAsNew(service, first.sid))
    expect(again.url).toBe('/echo?q={{apiKey}}')
    expect(again.headers['x-template']).toBe('{{apiKey}}')
    expect(new URLSearchParams(again.body).get('field')).toBe('{{apiKey}}')
    expect(JSON.stringify(again)).not.toContain(SECRET)
  })
})
