import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { BodyStore } from '../../src/engine/http/body-store'
import { WebhookInbox } from '../../src/engine/webhooks/webhook-inbox'

/**
 * The webhook inbox attacked by whatever holds a webhook URL (the server under test, or anyone it passed the
 * URL to): bodies past the limit sent chunked (no Content-Length to refuse up front), and callers that send
 * part of a body and hang up. Each such call is refused or lost, and nothing shows it, so what it stored must
 * go with it. Before, every one left its partial body in the engine's body store for as long as the app ran —
 * a temp file of up to the limit (16 MB by default) each, never released, as a body still being written is
 * never the oldest to let go. Here with a 256 KB limit and bodies spilling to disk past 16 KB.
 */

const LIMIT = 256 * 1024

let root: string
let bodies: BodyStore
let inbox: WebhookInbox

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-webhook-'))
  bodies = new BodyStore({ tempDir: root, memoryLimit: 16 * 1024 })
  inbox = new WebhookInbox({ clock: createClock(), bodies, maxBodyBytes: LIMIT })
})
afterEach(async () => {
  await inbox.stop()
  await bodies.dispose()
  rmSync(root, { recursive: true, force: true })
})

/** Bytes in the body store's spill files (every `*.body` under the temp root). */
function spilledBytes(): number {
  let total = 0
  for (const dir of readdirSync(root)) {
    for (const f of readdirSync(join(root, dir))) total += statSync(join(root, dir, f)).size
  }
  return total
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function open(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => resolve(s))
    s.on('error', reject)
  })
}

/** The whole response the socket gets, up to its close. */
function answer(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    s.setEncoding('latin1').on('data', (c: string) => (text += c))
    s.on('close', () => resolve(text))
    s.on('error', () => undefined)
  })
}

describe('the webhook inbox, abandoned and oversized calls', () => {
  it('a chunked body past the limit is refused with 413 and leaves nothing stored', async () => {
    const base = await inbox.start()
    const { token } = inbox.mint('s1')
    for (let i = 0; i < 4; i++) {
      const s = await open(base)
      const answered = answer(s)
      s.write(`POST /hooks/${token} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`)
      const chunk = Buffer.alloc(64 * 1024, 'a')
      for (let sent = 0; sent <= LIMIT; sent += chunk.length)
        s.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`)
      expect(await answered).toMatch(/^HTTP\/1\.1 413 /)
    }
    await until('the refused bodies to be let go', () => spilledBytes() === 0)
    expect(inbox.callCount).toBe(0)
  }, 30_000)

  it('a caller that sends half its body and hangs up leaves nothing stored', async () => {
    const base = await inbox.start()
    const { token } = inbox.mint('s1')
    for (let i = 0; i < 4; i++) {
      const s = await open(base)
      s.on('error', () => undefined)
      s.write(`POST /hooks/${token} HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n`)
      s.write(Buffer.alloc(100_000, 'b'))
      await until('the half body to reach the store', () => spilledBytes() >= 100_000)
      s.destroy()
      await until('the half body to be let go', () => spilledBytes() === 0)
    }
    expect(inbox.callCount).toBe(0)
  }, 30_000)

  it('a call that completes is still recorded and kept', async () => {
    const base = await inbox.start()
    const { token } = inbox.mint('s1')
    const waiting = inbox.waitFor(token, 10_000)
    const s = await open(base)
    const answered = answer(s)
    s.write(
      `POST /hooks/${token}/done HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n${'c'.repeat(100_000)}`,
    )
    expect(await answered).toMatch(/^HTTP\/1\.1 200 /)
    const call = await waiting
    expect(call?.body.size).toBe(100_000)
    expect(spilledBytes()).toBe(100_000)
  }, 30_000)
})
