import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { BodyStore } from '../../src/engine/http/body-store'
import { WebhookInbox, type WebhookCut } from '../../src/engine/webhooks/webhook-inbox'

/**
 * Callers of the webhook inbox that never finish: one trickles header lines (slow-loris), one its body. The
 * inbox answers 408 and cuts them after its head and call timeouts (10 s and 30 s), but node:http looks for them
 * only every 30 s, so the head trickler was cut after 30 s and the body trickler after 60 s, each holding a
 * socket meanwhile. Now the inbox looks at least every second (here its timeouts are made short: 0.4 and 0.8 s).
 */

let root: string
let bodies: BodyStore
let inbox: WebhookInbox

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-webhook-slow-'))
  bodies = new BodyStore({ tempDir: root })
  inbox = new WebhookInbox({ clock: createClock(), bodies, headersTimeoutMs: 400, requestTimeoutMs: 800 })
})
afterEach(async () => {
  await inbox.stop()
  await bodies.dispose()
  rmSync(root, { recursive: true, force: true })
})

/** Opens a caller that writes `first`, then `more` every 100 ms until cut; answers what it got and when. */
function trickle(base: string, first: string, more: string): Promise<{ got: string; ms: number }> {
  const { hostname, port } = new URL(base)
  const start = Date.now()
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname, () => s.write(first))
    let got = ''
    s.setEncoding('latin1').on('data', (c: string) => (got += c))
    s.on('error', () => undefined)
    // Bounded: the inbox cuts the caller, else this stops after 40 s (past node's own 30 s check).
    const timer = setInterval(() => {
      if (Date.now() - start > 40_000) s.destroy()
      else if (!s.destroyed) s.write(more)
    }, 100)
    s.on('close', () => {
      clearInterval(timer)
      resolve({ got, ms: Date.now() - start })
    })
  })
}

describe('webhook callers that never finish', () => {
  it('a caller trickling header lines, and one trickling its body, are answered 408 and cut near the timeouts', async () => {
    const base = await inbox.start()
    const { token } = inbox.mint('s1')
    const cuts: WebhookCut[] = []
    inbox.onCut((c) => cuts.push(c))
    // The third trickles its body to a URL the inbox did not give out: it was answered 404 at once, then 408 and
    // cut as a call whose head was not whole (two rows, the second's reason wrong).
    const [head, body, stale] = await Promise.all([
      trickle(base, `POST /hooks/${token} HTTP/1.1\r\nHost: x\r\n`, 'X-More: y\r\n'),
      trickle(base, `POST /hooks/${token} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nz`, 'z'),
      trickle(base, `POST /old HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nz`, 'z'),
    ])
    expect(head.got).toMatch(/^HTTP\/1\.1 408 /)
    expect(body.got).toMatch(/^HTTP\/1\.1 408 /)
    expect(stale.got).toMatch(/^HTTP\/1\.1 408 [^]*\r\n\r\n$/)
    // The timeouts plus a check at least every second; a loaded machine gets a few seconds more.
    expect(head.ms).toBeLessThan(8_000)
    expect(body.ms).toBeLessThan(8_000)
    expect(stale.ms).toBeLessThan(8_000)
    expect(inbox.callCount).toBe(0)
    // Each cut is reported (the timeline shows it), with its reason and the caller's address: the caller may see
    // its socket close a moment before the inbox's request does.
    for (let i = 0; i < 500 && cuts.length < 3; i++) await new Promise((r) => setTimeout(r, 10))
    const seen = cuts.map((c) => [c.code, c.status, c.owner ?? '', c.remoteAddress, c.reason]).sort()
    expect(seen).toEqual([
      ['timeout_headers', 408, '', '127.0.0.1', 'its head was not whole after 0.4 s'],
      [
        'timeout_total',
        408,
        '',
        '127.0.0.1',
        expect.stringMatching(
          /^it called a URL this inbox did not give out .*, and its call was not whole after 0\.8 s \(\d+ B of body/,
        ),
      ],
      [
        'timeout_total',
        408,
        's1',
        '127.0.0.1',
        expect.stringMatching(/^its call was not whole after 0\.8 s \(\d+ B of body received\)$/),
      ],
    ])
  }, 60_000)
})
