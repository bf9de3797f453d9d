import { Agent, request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { BodyStore } from '../../src/engine/http/body-store'
import {
  UNKNOWN_BODY_READ,
  UNKNOWN_CALLS_SHOWN,
  WebhookInbox,
  type WebhookCut,
} from '../../src/engine/webhooks/webhook-inbox'

function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
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

/** The file's own client connections, closed with each case (a failed case's too), not left to Node's global agent. */
let agent = new Agent({ keepAlive: true })
const rawSockets: Socket[] = []

function rawConnection(port: number, host: string, onConnect: (s: Socket) => void): Socket {
  const s = connect(port, host, () => onConnect(s))
  rawSockets.push(s)
  return s
}

let inbox: WebhookInbox | null = null
let bodies: BodyStore | null = null
afterEach(async () => {
  await inbox?.stop()
  await bodies?.dispose()
  agent.destroy()
  agent = new Agent({ keepAlive: true })
  for (const s of rawSockets.splice(0)) s.destroy()
})

describe('webhook inbox', () => {
  it('records a callback to a minted URL and links it to its owner', async () => {
    bodies = new BodyStore()
    inbox = new WebhookInbox({ clock: createClock(), bodies })
    const base = await inbox.start()
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const { token, url } = inbox.mint('s42')
    const waiting = inbox.waitFor(token, 5000)
    // x-sender goes out in UTF-8 (Node's client writes header strings so).
    const sender = 'caf\u00e9'
    const res = await post(`${url}/job/done?attempt=1`, '{"state":"done"}', {
      'x-signature': 'abc',
      'x-sender': sender,
    })
    expect(res.status).toBe(200)
    const call = await waiting
    expect(call?.owner).toBe('s42')
    expect(call?.method).toBe('POST')
    expect(call?.path).toBe('/job/done')
    expect(call?.query).toBe('attempt=1')
    expect(call?.headers).toContainEqual(['x-signature', 'abc'])
    expect(call?.headers).toContainEqual(['x-sender', 'caf\u00e9'])
    const stored = await bodies.read(call?.body.id ?? '', 0, 1000, 'utf8')
    expect(stored.ok && stored.value.data).toBe('{"state":"done"}')
  })

  it('refuses unknown tokens and oversized bodies, and a wait times out with null', async () => {
    bodies = new BodyStore()
    inbox = new WebhookInbox({ clock: createClock(), bodies, maxBodyBytes: 100 })
    const base = await inbox.start()
    // A call to an unknown URL is shown (a service posting to an old URL is otherwise invisible), with its path.
    const cuts: WebhookCut[] = []
    inbox.onCut((c) => cuts.push(c))
    expect((await post(`${base}/hooks/notAToken1234`, '{}')).status).toBe(404)
    expect((await post(`${base}/other`, '{}')).status).toBe(404)
    const { token, url } = inbox.mint('s1')
    expect(cuts.map((c) => [c.status, c.code, c.method, c.path, c.remoteAddress, c.token])).toEqual([
      [404, 'not_found', 'POST', '/hooks/notAToken1234', '127.0.0.1', undefined],
      [404, 'not_found', 'POST', '/other', '127.0.0.1', undefined],
    ])
    expect(cuts[0]?.reason).toMatch(/did not give out or has forgotten/)
    expect((await post(url, 'x'.repeat(500))).status).toBe(413)
    expect(await inbox.waitFor(token, 100)).toBeNull()
  })

  it('a flood of calls to unknown URLs shows the first 20, then one at each doubling with the count', async () => {
    bodies = new BodyStore()
    inbox = new WebhookInbox({ clock: createClock(), bodies })
    const base = await inbox.start()
    const cuts: WebhookCut[] = []
    inbox.onCut((c) => cuts.push(c))
    for (let i = 1; i <= 70; i++)
      expect((await post(`${base}/hooks/staleToken${i}?n=${i}`, '{}')).status).toBe(404)
    expect(cuts).toHaveLength(UNKNOWN_CALLS_SHOWN + 2)
    expect(cuts[19]?.query).toBe('n=20')
    expect(cuts[19]?.reason).not.toMatch(/so far/)
    expect(cuts.slice(20).map((c) => c.query)).toEqual(['n=32', 'n=64'])
    expect(cuts[21]?.reason).toMatch(/; 64 such calls so far \(past the first 20, one is shown/)
    // The count is the listening session's: started again (perhaps on another port), the next call is shown.
    await inbox.stop()
    const again = await inbox.start()
    expect((await post(`${again}/hooks/staleToken71`, '{}')).status).toBe(404)
    expect(cuts).toHaveLength(UNKNOWN_CALLS_SHOWN + 3)
    expect(cuts[22]?.reason).not.toMatch(/so far/)
  })

  it('a call to an unknown URL is read up to 1 MB of its body, then cut, and its row says so', async () => {
    bodies = new BodyStore()
    inbox = new WebhookInbox({ clock: createClock(), bodies })
    const base = new URL(await inbox.start())
    const cuts: WebhookCut[] = []
    inbox.onCut((c) => cuts.push(c))
    // 4 MB to a stale URL: the inbox read all of it (a caller that never ended it, for 30 s), then answered.
    const size = 4 * UNKNOWN_BODY_READ
    await new Promise<void>((resolve) => {
      const s = rawConnection(Number(base.port), base.hostname, (open) => {
        open.write(`POST /hooks/staleToken12345 HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`)
        open.end(Buffer.alloc(size, 120))
      })
      s.on('error', () => undefined)
      s.on('close', () => resolve())
    })
    for (let i = 0; i < 500 && cuts.length < 1; i++) await new Promise((r) => setTimeout(r, 10))
    expect(cuts.map((c) => [c.status, c.code, c.path])).toEqual([
      [404, 'not_found', '/hooks/staleToken12345'],
    ])
    expect(cuts[0]?.reason).toBe(
      'it called a URL this inbox did not give out or has forgotten (an old or mistyped token), and its body ' +
        'passed the 1.0 MB the inbox reads of such a call (answered, then its connection closed)',
    )
    // A whole small call still gets its 404 first, on a connection kept for the next.
    expect((await post(`${base.origin}/other`, '{}')).status).toBe(404)
  })

  it('stopping the inbox mid-call is not reported as the caller cut (it did not hang up)', async () => {
    bodies = new BodyStore()
    inbox = new WebhookInbox({ clock: createClock(), bodies })
    const base = new URL(await inbox.start())
    const { url } = inbox.mint('s1')
    const cuts: WebhookCut[] = []
    inbox.onCut((c) => cuts.push(c))
    const closed = new Promise<void>((resolve) => {
      const s = rawConnection(Number(base.port), base.hostname, (open) =>
        open.write(
          `POST ${new URL(url).pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789`,
        ),
      )
      s.on('error', () => undefined)
      s.on('close', () => resolve())
    })
    // The first body bytes reached the store: the call is in flight.
    for (let i = 0; i < 500 && (bodies.get('b1')?.size ?? 0) < 10; i++)
      await new Promise((r) => setTimeout(r, 10))
    expect(bodies.get('b1')?.size).toBe(10)
    await inbox.stop()
    await closed
    // The inbox lets the partial body go when the call's request closes; a cut would be reported right there.
    for (let i = 0; i < 500 && bodies.get('b1'); i++) await new Promise((r) => setTimeout(r, 10))
    expect(bodies.get('b1')).toBeUndefined()
    expect(cuts).toEqual([])
  })
})
