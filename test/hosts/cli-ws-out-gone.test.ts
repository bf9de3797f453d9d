import { spawn, type ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { OUT_GONE_CLOSE_MS } from '../../src/cli/stream-command'
import { startFloodPeer } from '../attack/flood-peer'
import { rawWsPeerSource } from '../fixtures/raw-ws-peer'
import { FLIGHTDECK_BIN as bin } from '../fixtures/cli-process'

/**
 * `flightdeck ws … | head` against a server that floods and never answers a close: once the reader of stdout has
 * gone, the command sends its close frame, gives the closing handshake OUT_GONE_CLOSE_MS, then drops the
 * connection and exits 0 without a word. It used to wait for the server's close frame, which a flooding server
 * sends behind everything already queued (14 s for 200,000 messages), or here never: the engine's own 5 s grace
 * for a close was the only bound.
 */

/**
 * A WebSocket server in its own process that sends 2-byte text frames for as long as the client reads them and
 * ignores every frame it is sent. It says on stdout, as JSON lines, when a close frame (opcode 8) came from the
 * client and when the client's connection went, by its own clock.
 */
const PEER = rawWsPeerSource({
  setup: `
const chunk = Buffer.concat(Array(16384).fill(text('hi')))
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n')`,
  connection: `
  let closeSeen = false, sent = 0
  s.on('close', () => say({ gone: Date.now(), sent }))
  const pump = () => {
    while (!s.destroyed) {
      sent += 16384
      if (!s.write(chunk)) return void s.once('drain', pump)
    }
  }`,
  // A client's frame starts with its opcode; the close is the only frame this client sends.
  clientData: `if (!closeSeen && (c[0] & 0x0f) === 8) { closeSeen = true; say({ closeFrame: Date.now() }) }`,
  upgraded: 'pump()',
})

let peer: ChildProcess | null = null
afterEach(() => {
  peer?.kill()
  peer = null
})

interface PeerNews {
  closeFrame?: number
  gone?: number
  sent?: number
}

/** The peer's JSON lines after its port, merged as they come; resolves once it has said `until`. */
function peerSays(child: ChildProcess, until: keyof PeerNews): Promise<PeerNews> {
  const news: PeerNews = {}
  let text = ''
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      text += c
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
        const line = JSON.parse(text.slice(0, nl)) as PeerNews | number
        text = text.slice(nl + 1)
        if (typeof line === 'object') Object.assign(news, line)
        if (news[until] !== undefined) resolve(news)
      }
    })
    child.once('exit', (code) => reject(new Error(`the flooding peer exited (${code})`)))
  })
}

describe('flightdeck ws | head, against a server that floods and ignores the close', () => {
  it('sends a close, drops the connection after a bounded wait, and exits 0 quietly', async () => {
    const started = await startFloodPeer(PEER, 'WebSocket server')
    peer = started.child
    const gone = peerSays(peer, 'gone')
    const child = spawn(process.execPath, [bin, 'ws', `ws://127.0.0.1:${started.port}/`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let lines = 0
    let stderr = ''
    // The reader takes five lines (the request, the 101, the open, two messages), then goes away.
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      lines += c.split('\n').length - 1
      if (lines >= 5) child.stdout.destroy()
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const exit = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code) => resolve(code))
    })
    const news = await gone
    expect(await exit).toBe(0)
    expect(stderr).toBe('')
    const { closeFrame, sent } = news
    if (closeFrame === undefined || news.gone === undefined) throw new Error('the peer saw no close frame')
    const wait = news.gone - closeFrame
    console.log(
      `ws | head: the connection dropped ${wait} ms after the close frame (bound ${OUT_GONE_CLOSE_MS} ms), ${sent} frames queued by then`,
    )
    // The engine's own grace for a close is 5 s; the command's bound after the reader went is 1 s. A generous
    // margin over 1 s (a loaded machine) still tells the two apart. (No lower bound: the peer may read the close
    // frame late on a loaded machine.)
    expect(wait).toBeLessThan(4000)
  }, 60_000)
})
