import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from 'node:fs'
import { open as openFile, type FileHandle } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClock } from '../../src/engine/clock'
import { BodyStore } from '../../src/engine/http/body-store'
import {
  WEBHOOK_BODY_LIMITS,
  WebhookInbox,
  type WebhookCall,
  type WebhookCut,
} from '../../src/engine/webhooks/webhook-inbox'

/**
 * Callers of the webhook inbox the way real ones behave, and the way whatever holds a webhook URL (the server
 * under test, or anyone it passed the URL to) can attack it.
 *
 * A caller that half-closes once its body is sent (`nc -N`, a client calling `end()`) got no answer and its call
 * was lost: node:http ended the socket at the FIN, before the body (spilled to disk) was stored. And a caller
 * sending faster than the disk writes had its whole body queued in memory: 20 callers of 16 MB grew the engine by
 * 200–280 MB, 40 by 490–590 MB. Now the request is paused while its file write is behind, so each caller holds
 * about its high-water mark. And the store's own limits are made for one response at a time (8 MB in memory, 4 MB
 * of writes pending): the inbox gives each call 256 KB of each (WEBHOOK_BODY_LIMITS), so with the engine's store
 * 40 callers of 16 MB grew it by 47-59 MB, not 320-355.
 *
 * Bodies past the limit sent chunked (no Content-Length to refuse up front), and callers that send part of a body
 * and hang up: each such call is refused or lost, and nothing shows it, so what it stored must go with it.
 * Before, every one left its partial body in the engine's body store for as long as the app ran — a temp file of
 * up to the limit (16 MB by default) each, never released, as a body still being written is never the oldest to
 * let go. Those cases run with a 256 KB limit.
 */

/** Bodies spill to disk past this, in every case here. */
const MEMORY = 16 * 1024
const HIGH_WATER = 256 * 1024
/** The body limit of the abandoned and oversized calls. */
const LIMIT = 256 * 1024

let root: string
let bodies: BodyStore
let inbox: WebhookInbox

/** A fresh temp folder, body store and inbox for each case of a describe. */
function eachWith(store: { highWaterMark?: number }, maxBodyBytes: number): void {
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fd-attack-webhook-callers-'))
    bodies = new BodyStore({ tempDir: root, memoryLimit: MEMORY, ...store })
    inbox = new WebhookInbox({ clock: createClock(), bodies, maxBodyBytes })
  })
  afterEach(async () => {
    await inbox.stop()
    await bodies.dispose()
    rmSync(root, { recursive: true, force: true })
  })
}

function open(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => resolve(s))
    s.on('error', reject)
  })
}

/** The response the socket gets: up to the end of its JSON body, or what came before the socket closed. */
function answer(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    s.setEncoding('latin1').on('data', (c: string) => {
      text += c
      if (text.endsWith('}')) resolve(text)
    })
    s.on('close', () => resolve(text))
    s.on('error', () => undefined)
  })
}

type Post = (headers: string, path?: string) => Promise<{ s: Socket; answered: Promise<string> }>

/**
 * Starts `to` and mints a token; `post` opens a connection and writes a POST's head to the token's URL (`path`
 * after it) with the given header lines, and answers the socket and the response it will get.
 */
async function callsTo(to: WebhookInbox): Promise<{ token: string; post: Post }> {
  const base = await to.start()
  const { token } = to.mint('s1')
  const post: Post = async (headers, path = '') => {
    const s = await open(base)
    const answered = answer(s)
    s.write(`POST /hooks/${token}${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n`)
    return { s, answered }
  }
  return { token, post }
}

function nextCall(): Promise<WebhookCall> {
  return new Promise((resolve) => {
    const off = inbox.onCall((call) => {
      off()
      resolve(call)
    })
  })
}

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
    await new Promise((r) => setTimeout(r, 10))
  }
}

/**
 * Holds every thread of libuv's pool (where file writes run) in an open() of a named pipe nobody writes, so the
 * body store's disk writes really wait, as on a slow disk; `release` opens the pipes' other ends.
 */
async function stallDisk(): Promise<{ release: () => Promise<void> }> {
  const threads = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4)
  const pipes: string[] = []
  const held: Promise<FileHandle>[] = []
  for (let i = 0; i < threads; i++) {
    const fifo = join(root, `stall-${i}`)
    execFileSync('mkfifo', [fifo])
    pipes.push(fifo)
    held.push(openFile(fifo, 'r'))
  }
  return {
    release: async () => {
      // A writer's open finds the waiting reader, so it returns at once (and the reader's open completes).
      for (const fifo of pipes) closeSync(openSync(fifo, 'w'))
      for (const h of await Promise.all(held)) await h.close()
    },
  }
}

/**
 * Sends a `size`-byte call as fast as the socket takes it; answers the socket, what it was answered, and how many
 * body bytes the connection has taken so far (handed to the kernel, on their way to the inbox).
 */
async function sendFast(
  post: Post,
  size: number,
): Promise<{ s: Socket; answered: Promise<string>; taken: () => number }> {
  const { s, answered } = await post(`Content-Length: ${size}`)
  const chunk = Buffer.alloc(64 * 1024, 'w')
  let sent = 0
  let taken = 0
  const pump = (): void => {
    while (sent < size) {
      sent += chunk.length
      if (!s.write(chunk, () => (taken += chunk.length))) {
        s.once('drain', pump)
        return
      }
    }
  }
  pump()
  return { s, answered, taken: () => taken }
}

/**
 * Sends a 16 MB call as fast as the socket takes it while the disk is held: once the inbox waits for the disk,
 * what the store took in is within `bound` (without the pause the inbox took the whole body within moments); once
 * the disk is let go the call is answered 200 and stored whole. Answers the stored body's size and whether it is on disk.
 */
async function whileDiskHeld(
  store: BodyStore,
  to: WebhookInbox,
  bound: number,
): Promise<{ size: number; onDisk: boolean; tail: string }> {
  const { post } = await callsTo(to)
  const size = 16 * 1024 * 1024
  const stall = await stallDisk()
  let released = false
  try {
    const held: number[] = []
    const off = to.onDiskWait((n) => held.push(n))
    const { s, answered, taken: sent } = await sendFast(post, size)
    const taken = (): number => store.get('b1')?.size ?? 0
    // The inbox pauses the request once the body's writer says the disk is behind, and no data event comes while
    // it waits for the drain, so what it took in by then is all it takes until the disk is let go. Without the
    // pause nobody waits on the writer: this wait fails, and the inbox takes the whole body meanwhile.
    await until('the inbox to wait for the disk', () => to.waitingForDisk === 1)
    const atPause = taken()
    expect(atPause).toBeLessThanOrEqual(bound)
    expect(atPause).toBeGreaterThan(0)
    // And it stays paused while the disk is held: with 1 MB more of the body readable on its connection (the
    // kernel takes several MB here), and event-loop turns in which an inbox that let the caller go on would
    // read it, the caller is still held, was never let go, and the inbox took nothing more.
    await until('1 MB more of the body to be on its way', () => sent() >= atPause + 1024 * 1024)
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
    expect(to.waitingForDisk).toBe(1)
    expect(held).toEqual([1])
    expect(taken()).toBe(atPause)
    await stall.release()
    released = true
    expect(await answered).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    s.destroy()
    off()
    // Let go once the disk took the waiting bytes (perhaps held again and let go as the rest came).
    expect(held[held.length - 1]).toBe(0)
    expect(to.waitingForDisk).toBe(0)
    const stored = store.get('b1')
    const tail = (await stored?.read(size - 4, 8))?.toString() ?? ''
    return { size: stored?.size ?? 0, onDisk: stored?.onDisk ?? false, tail }
  } finally {
    if (!released) await stall.release()
  }
}

describe('webhook callers', () => {
  eachWith({ highWaterMark: HIGH_WATER }, 16 * 1024 * 1024)

  it('a caller that half-closes after its body gets its answer, and the call is kept whole', async () => {
    const { post } = await callsTo(inbox)
    for (const size of [5, 200_000]) {
      const called = nextCall()
      const { s, answered } = await post(`Content-Length: ${size}`, '/done')
      s.end(Buffer.alloc(size, 'h'))
      const text = await answered
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
      expect(text).toMatch(/"ok":true,"id":"h\d+"/)
      const call = await called
      expect(call.path).toBe('/done')
      expect(call.body.size).toBe(size)
      const stored = await bodies.get(call.body.id)?.read(0, size + 1)
      expect(stored?.equals(Buffer.alloc(size, 'h'))).toBe(true)
    }
  })

  it('a caller sending faster than the disk writes waits; its bytes do not queue in memory', async () => {
    // With the disk held, what the inbox took in is what waits in memory: the writer stops near the high-water
    // mark (plus a socket read or two).
    const stored = await whileDiskHeld(bodies, inbox, MEMORY + HIGH_WATER + 256 * 1024)
    expect(stored.size).toBe(16 * 1024 * 1024)
  }, 30_000)

  it('with the engine’s store (8 MB in memory a body), a call holds the inbox’s 256 KB of each, not the store’s', async () => {
    const engineStore = new BodyStore({ tempDir: root })
    const engineInbox = new WebhookInbox({ clock: createClock(), bodies: engineStore })
    try {
      const limits = WEBHOOK_BODY_LIMITS
      const bound = (limits.memoryLimit ?? 0) + (limits.highWaterMark ?? 0) + 256 * 1024
      const stored = await whileDiskHeld(engineStore, engineInbox, bound)
      expect(stored).toEqual({ size: 16 * 1024 * 1024, onDisk: true, tail: 'wwww' })
    } finally {
      await engineInbox.stop()
      await engineStore.dispose()
    }
  }, 30_000)
})

describe('the webhook inbox, abandoned and oversized calls', () => {
  eachWith({}, LIMIT)

  it('a chunked body past the limit is refused with 413 and leaves nothing stored', async () => {
    const { post } = await callsTo(inbox)
    const cuts: WebhookCut[] = []
    inbox.onCut((c) => cuts.push(c))
    for (let i = 0; i < 4; i++) {
      const { s, answered } = await post('Transfer-Encoding: chunked')
      const chunk = Buffer.alloc(64 * 1024, 'a')
      for (let sent = 0; sent <= LIMIT; sent += chunk.length)
        s.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`)
      expect(await answered).toMatch(/^HTTP\/1\.1 413 /)
    }
    await until('the refused bodies to be let go', () => spilledBytes() === 0)
    expect(inbox.callCount).toBe(0)
    // Each is reported as cut (the timeline shows it), once.
    expect(cuts.map((c) => `${c.status} ${c.reason}`)).toEqual(
      Array(4).fill("413 its body passed the inbox's 256 KB limit"),
    )
  }, 30_000)

  it('a caller that sends half its body and hangs up leaves nothing stored', async () => {
    const { post } = await callsTo(inbox)
    const cuts: WebhookCut[] = []
    inbox.onCut((c) => cuts.push(c))
    for (let i = 0; i < 4; i++) {
      const { s } = await post('Content-Length: 200000')
      s.write(Buffer.alloc(100_000, 'b'))
      await until('the half body to reach the store', () => spilledBytes() >= 100_000)
      s.destroy()
      await until('the half body to be let go', () => spilledBytes() === 0)
    }
    expect(inbox.callCount).toBe(0)
    await until('each hang-up to be reported', () => cuts.length >= 4)
    expect(cuts.map((c) => [c.code, c.owner, c.reason.replace(/\d[\d.]* KB of its/, 'N KB of its')])).toEqual(
      Array(4).fill(['reset', 's1', 'it hung up after N KB of its body of 195 KB']),
    )
  }, 30_000)

  it('a flood of heads the inbox cannot read (too large, not HTTP) shows the first 20, then one at each doubling', async () => {
    const base = await inbox.start()
    const cuts: WebhookCut[] = []
    inbox.onCut((c) => cuts.push(c))
    const big = 'x'.repeat(20_000)
    const heads = [
      `GET /${big} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET / HTTP/1.1\r\nX-A: ${big}\r\n\r\n`,
      'garbage\r\n\r\n',
    ]
    const answers: string[] = []
    // 70 calls, ten at a time: each is still answered as node:http answers it.
    for (let i = 0; i < 70; i += 10) {
      const batch = Array.from({ length: 10 }, async (_, j) => {
        const s = await open(base)
        const answered = answer(s)
        s.write(heads[(i + j) % heads.length] ?? '')
        return answered
      })
      answers.push(...(await Promise.all(batch)))
    }
    expect(answers.filter((a) => /^HTTP\/1\.1 (431|400) /.test(a))).toHaveLength(70)
    await until('the 22nd row', () => cuts.length >= 22)
    expect(cuts).toHaveLength(22)
    expect(cuts.at(-1)?.reason).toMatch(
      /; 64 calls whose head the inbox could not read so far \(past the first 20/,
    )
  }, 30_000)

  it('a call that completes is still recorded and kept', async () => {
    const { token, post } = await callsTo(inbox)
    const waiting = inbox.waitFor(token, 10_000)
    const { s, answered } = await post('Connection: close\r\nContent-Length: 100000', '/done')
    s.write('c'.repeat(100_000))
    expect(await answered).toMatch(/^HTTP\/1\.1 200 /)
    const call = await waiting
    expect(call?.body.size).toBe(100_000)
    expect(spilledBytes()).toBe(100_000)
  }, 30_000)
})
