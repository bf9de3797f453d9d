import { describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import WebSocket from 'ws'
import { WsTurnPacer, type WsFrame } from '../../src/engine/ws/ws-turn-pacer'
import { rawWsPeerSource } from '../fixtures/raw-ws-peer'
import { floodPeerEachCase } from './flood-peer-cases'

/**
 * A WebSocket session takes at most TURN_FRAMES frames per turn of the event loop. Pausing the socket alone let
 * `ws` emit the rest of the 64 KB read it was parsing in the same turn (16,384 four-byte frames); what arrives
 * past the turn's share now waits for later turns, in order, and what came before a close is logged before it.
 * The bound a turn itself is checked through the flood-fairness harness (ws-flood-fairness-attack: a million
 * 4-byte frames, at most two shares a turn, all logged, requests through); here, what pacing must not lose: the
 * order of messages and pings past a turn, the close after them, and the queue's bound cut loudly.
 */

const each = floodPeerEachCase()

/**
 * A WebSocket server in its own process that answers the upgrade with `frames` (a JS expression building one
 * Buffer of server frames) written at once, then the socket's end.
 */
function peerSource(frames: string): string {
  return rawWsPeerSource({ setup: `const all = ${frames}`, upgraded: 's.end(all)' })
}

async function open(frames: string): Promise<{ service: EngineService; sid: string }> {
  const port = await each.peer(peerSource(frames), 'WebSocket server')
  const service = each.service()
  const r = await service.invoke('ws.open', {
    url: `ws://127.0.0.1:${port}/`,
    headers: [],
    protocols: [],
  })
  if (!r.ok) throw new Error(r.error.message)
  return { service, sid: r.value.sid }
}

describe('WebSocket: frames per turn of the event loop', () => {
  it('keeps the order of messages and pings past a turn, and logs the close after them', async () => {
    // 6,000 numbered messages with a ping after every thousandth, then a close frame (1000, "bye"), in one write.
    const frames =
      `Buffer.concat([...Array.from({ length: 6000 }, (_, i) => (i + 1) % 1000 === 0 ? Buffer.concat([text(String(i)), ping('p' + i)]) : text(String(i))),` +
      ` Buffer.from([0x88, 0x05, 0x03, 0xe8, 0x62, 0x79, 0x65])])`
    const { service, sid } = await open(frames)
    const { final } = await service.waitForStream(sid)
    expect(final.type).toBe('done')
    const entries = []
    for (let from = 0; from < 8000; from += 2000) {
      const read = await service.invoke('stream.read', { sid, from, count: 2000 })
      if (!read.ok) throw new Error(read.error.message)
      entries.push(...read.value.entries)
    }
    const incoming = entries.filter((e) => e.dir === 'in')
    const expected: string[] = []
    for (let i = 0; i < 6000; i++) {
      expected.push(`text ${i}`)
      if ((i + 1) % 1000 === 0) expected.push(`ping p${i}`)
    }
    expected.push('close bye')
    expect(incoming.map((e) => `${e.kind} ${e.data}`)).toEqual(expected)
  }, 60_000)

  it('a queue past its bound is cut loudly: the pacer stops, drops it and says how many waited', async () => {
    // The session's bound (65,536) is past what one read can hold; a pacer with a small one shows the cut.
    const port = await each.peer(
      peerSource(`Buffer.concat(Array(50000).fill(text('hi')))`),
      'WebSocket server',
    )
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
    const handled: WsFrame[] = []
    const cut = await new Promise<number>((resolve, reject) => {
      const pacer = new WsTurnPacer(ws, {
        handle: (f) => void handled.push(f),
        cut: (queued) => {
          ws.terminate()
          resolve(queued)
        },
        perTurn: 10,
        maxQueued: 100,
      })
      ws.on('message', (data, isBinary) => pacer.push({ kind: 'message', data, isBinary }))
      ws.on('close', () => reject(new Error(`closed without a cut after ${handled.length} frames`)))
    })
    expect(cut).toBe(100)
    // A few turns' shares were handled before the queue filled (how many depends on how the reads fell), and
    // the 50,000 frames were not all handed on: the rest was dropped at the cut.
    expect(handled.length).toBeGreaterThanOrEqual(10)
    expect(handled.length).toBeLessThan(50_000)
  }, 60_000)
})
