import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toRequestSpec } from '../../src/renderer/composer/composer-draft'
import { urlWithParams } from '../../src/renderer/composer/url-params'
import { draftToSaved, extrasOf, savedKey, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Query parameters switched off (a request file's disabledParams, e.g. from an imported Postman collection)
 * show in the composer's params table unticked, are never sent, and are written back on save.
 */

let engine: TestEngine
let http: Fixture
beforeAll(async () => {
  http = await startHttpServer()
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
  await http.close()
})

function saved(): SavedRequest {
  return {
    ...emptySavedRequest('List'),
    url: `${http.url}/echo?merchant=acme`,
    disabledParams: [
      { name: 'pageNumber', value: '56', enabled: false },
      { name: 'pageSize', value: '10', enabled: false },
    ],
  }
}

describe('disabled query parameters', () => {
  it('show unticked after the URL’s own, are not sent, and save back as they were', async () => {
    const req = saved()
    const draft = savedToDraft(req)
    expect(draft.params).toEqual([
      { name: 'merchant', value: 'acme', enabled: true },
      { name: 'pageNumber', value: '56', enabled: false },
      { name: 'pageSize', value: '10', enabled: false },
    ])
    // Sent: only what the URL holds.
    const sent = await engine.service.invoke('http.send', { request: toRequestSpec(draft) })
    if (!sent.ok) throw new Error(sent.error.message)
    const result = await engine.service.http.waitFor(sent.value.sids[0] ?? '')
    expect(result.final.type).toBe('done')
    const echoed = http.requests.find((r) => r.url.startsWith('/echo'))
    expect(echoed?.url).toBe('/echo?merchant=acme')
    // An untouched tab saves the file as it was (and is not marked edited).
    const back = draftToSaved(draft, extrasOf(req), req.options)
    expect(back.disabledParams).toEqual(req.disabledParams)
    expect(savedKey(back)).toBe(savedKey(req))
  })

  it('ticking one puts it in the URL and takes it out of the file’s disabled rows', () => {
    const req = saved()
    const draft = savedToDraft(req)
    const params = draft.params.map((p) => (p.name === 'pageSize' ? { ...p, enabled: true } : p))
    const edited = { ...draft, params, url: urlWithParams(draft.url, params) }
    const back = draftToSaved(edited, extrasOf(req), req.options)
    expect(back.url).toBe(`${http.url}/echo?merchant=acme&pageSize=10`)
    expect(back.disabledParams).toEqual([{ name: 'pageNumber', value: '56', enabled: false }])
  })
})
