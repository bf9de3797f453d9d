import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A saved form-data request whose Content-Type is left out (`omitDefaultHeaders: [content-type]`): the composer's
 * Send says in its send error why it is not sent and what to do, nothing reaches the server, and Copy as curl
 * gives the same words instead of a command.
 */

let server: Fixture
let engine: TestEngine
let dir: string

beforeAll(async () => {
  server = await startHttpServer()
  engine = startEngine()
  dir = mkdtempSync(join(tmpdir(), 'fd-omit-form-send-error-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Imported\n')
  writeFileSync(
    join(dir, 'upload.yaml'),
    [
      'name: upload',
      'method: POST',
      `url: '${server.url}/echo'`,
      'body:',
      '  kind: multipart',
      '  parts:',
      '    - { kind: text, name: city, value: Lyon, enabled: true }',
      'options:',
      '  omitDefaultHeaders: [content-type]',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await stopEngines()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('Send of a form whose Content-Type is left out, in the composer', () => {
  it('is not sent, and the send error says why and what to do; Copy as says the same', async () => {
    server.requests.length = 0
    const store = engine.store()
    await openCollection(store, dir)
    await store.getState().openRequest(dir, 'upload.yaml')
    await store.getState().send()
    const message = store.getState().sendError?.message ?? ''
    expect(message).toMatch(/boundary between the parts/)
    expect(message).toMatch(/Add a Content-Type header of multipart\/form-data/)
    expect(server.requests).toHaveLength(0)
    const copied = await store.getState().snippetFor('curl')
    expect('error' in copied ? copied.error : '').toMatch(/Send would refuse.*boundary between the parts/)
  })
})
