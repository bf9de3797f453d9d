import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { makeService, sleep, spec } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * An SSE request with a body (a POST that opens a stream, as LLM APIs take one) goes with the headers a send
 * gives that body (request-body.ts's wireHeaders): a multipart body's Content-Type typed without a boundary (as an
 * Insomnia import saves it) is sent with the body's own, so the server can read the parts.
 */
let server: SseFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startSseServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
})

describe('an SSE request with a multipart body', () => {
  it('sends the body’s own Content-Type, boundary and all, in place of one typed without a boundary', async () => {
    const request = spec(`${server.url}/events?n=1&close=1`, {
      method: 'POST',
      headers: [{ name: 'Content-Type', value: 'multipart/form-data', enabled: true }],
      body: { kind: 'multipart', parts: [{ kind: 'text', name: 'prompt', value: 'hello', enabled: true }] },
    })
    const opened = await service.invoke('sse.open', { request, stream: { reconnect: false } })
    if (!opened.ok) throw new Error(opened.error.message)
    const outcome = await Promise.race([settle(service, opened.value.sid), sleep(5000).then(() => null)])
    expect(outcome, 'the stream ended within 5 s').not.toBeNull()
    const got = server.requests.at(-1)
    const type = String(got?.headers['content-type'])
    const boundary = /boundary=(.+)$/.exec(type)?.[1]
    expect(type).toMatch(/^multipart\/form-data; boundary=/)
    const sent = rec.of(opened.value.sid).find((e) => e.type === 'request-sent')
    expect(sent?.type === 'request-sent' && sent.note).toBe(
      `Content-Type "multipart/form-data" has no boundary: sent with the body's own, "${type}"`,
    )
    expect(got?.body).toContain(
      `--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhello\r\n`,
    )
  })
})
