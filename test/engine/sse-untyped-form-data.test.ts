import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UNTYPED_MULTIPART } from '../../src/engine/http/untyped-multipart'
import type { EngineService } from '../../src/engine/service'
import type { RequestSpec } from '../../src/shared/request'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { makeService, sleep, spec } from './helpers'
import { record, settle, type Recorder } from './stream-helpers'

/**
 * An SSE request (a POST that opens a stream) with a form-data body whose Content-Type is left out
 * (`omitDefaultHeaders: [content-type]`): the server could not split the parts, so the stream is refused at once,
 * in the words Send refuses it with, sending nothing and not retried; a Content-Type typed as
 * `multipart/form-data` (the way out the words give) goes with the body's boundary. Against a real SSE server.
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

const form = (typed: boolean): RequestSpec =>
  spec(`${server.url}/events?n=1&close=1`, {
    method: 'POST',
    headers: typed ? [{ name: 'Content-Type', value: 'multipart/form-data', enabled: true }] : [],
    body: { kind: 'multipart', parts: [{ kind: 'text', name: 'prompt', value: 'hello', enabled: true }] },
    options: { omitDefaultHeaders: ['content-type', 'user-agent'] },
  })

/** The stream's outcome (bounded: 5 s). */
async function opened(
  request: RequestSpec,
  reconnect: boolean,
): Promise<{ sid: string; outcome: Awaited<ReturnType<typeof settle>> }> {
  const r = await service.invoke('sse.open', {
    request,
    stream: { reconnect, retryMs: 10, maxRetries: 3 },
  })
  if (!r.ok) throw new Error(r.error.message)
  const outcome = await Promise.race([settle(service, r.value.sid), sleep(5000).then(() => null)])
  if (outcome === null) throw new Error('the stream did not end within 5 s')
  return { sid: r.value.sid, outcome }
}

describe('an SSE request with a form-data body whose Content-Type is left out', () => {
  it('is refused at once in the words Send uses, sending nothing and not retried', async () => {
    const before = server.requests.length
    const { sid, outcome } = await opened(form(false), true)
    expect(outcome.final).toMatchObject({ type: 'error', code: 'invalid_request' })
    expect(outcome.final.type === 'error' && outcome.final.message).toBe(
      `${UNTYPED_MULTIPART}. Nothing was sent`,
    )
    expect(rec.of(sid).some((e) => e.type === 'request-sent' || e.type === 'retry')).toBe(false)
    expect(server.requests.length).toBe(before)
  })

  it('goes split into its parts once a Content-Type of multipart/form-data is typed', async () => {
    const before = server.requests.length
    await opened(form(true), false)
    expect(server.requests.length).toBe(before + 1)
    const got = server.requests.at(-1)
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(String(got?.headers['content-type']))?.[1]
    expect(boundary).toBeDefined()
    expect(got?.headers['user-agent']).toBeUndefined()
    expect(got?.body).toContain(
      `--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhello\r\n`,
    )
  })
})
