import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { BodyStore } from '../../src/engine/http/body-store'
import { WebhookInbox } from '../../src/engine/webhooks/webhook-inbox'

function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

let inbox: WebhookInbox | null = null
let bodies: BodyStore | null = null
afterEach(async () => {
  await inbox?.stop()
  await bodies?.dispose()
})

describe('webhook inbox', () => {
  it('records a callback to a minted URL and links it to its owner', async () => {
    bodies = new BodyStore()
    inbox = new WebhookInbox({ clock: createClock(), bodies })
    const base = await inbox.start()
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const { token, url } = inbox.mint('s42')
    const waiting = inbox.waitFor(token, 5000)
    const res = await post(`${url}/job/done?attempt=1`, '{"state":"done"}', { 'x-signature': 'abc' })
    expect(res.status).toBe(200)
    const call = await waiting
    expect(call?.owner).toBe('s42')
    expect(call?.method).toBe('POST')
    expect(call?.path).toBe('/job/done')
    expect(call?.query).toBe('attempt=1')
    expect(call?.headers).toContainEqual(['x-signature', 'abc'])
    const stored = await bodies.read(call?.body.id ?? '', 0, 1000, 'utf8')
    expect(stored.ok && stored.value.data).toBe('{"state":"done"}')
  })

  it('refuses unknown tokens and oversized bodies, and a wait times out with null', async () => {
    bodies = new BodyStore()
    inbox = new WebhookInbox({ clock: createClock(), bodies, maxBodyBytes: 100 })
    const base = await inbox.start()
    expect((await post(`${base}/hooks/notAToken1234`, '{}')).status).toBe(404)
    expect((await post(`${base}/other`, '{}')).status).toBe(404)
    const { token, url } = inbox.mint('s1')
    expect((await post(url, 'x'.repeat(500))).status).toBe(413)
    expect(await inbox.waitFor(token, 100)).toBeNull()
  })
})
