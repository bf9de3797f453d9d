import type { ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService, send, spec } from '../engine/helpers'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { countPerTurn, startFloodPeer } from './flood-peer'

/**
 * A WebSocket server that floods tiny frames (4 bytes each, 1,000,000 of them). Node reads a busy socket up to
 * 32 times per turn of the event loop, so the engine took hundreds of thousands of messages in one turn while
 * nothing else ran: a plain request sent meanwhile waited seconds. Now one connection takes a bounded number
 * of messages per turn, every message is still logged, and the request goes through.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const FRAMES = 1_000_000

let service: EngineService | null = null
let peer: ChildProcess | null = null
let http: Fixture | null = null
afterEach(async () => {
  await service?.dispose()
  peer?.kill()
  await http?.close()
  service = peer = http = null
})

/**
 * The flooding server runs in a child process, as a real server would: the engine's socket then always has data
 * waiting, as it does when a fast peer floods it.
 */
const PEER = `
const net = require('node:net'), crypto = require('node:crypto')
const frame = Buffer.from([0x81, 0x02, 0x68, 0x69])
const all = Buffer.concat(Array(${FRAMES}).fill(frame))
const server = net.createServer((s) => {
  s.on('error', () => {})
  let head = ''
  s.on('data', (c) => {
    if (head.endsWith('\\r\\n\\r\\n')) return
    head += c.toString('latin1')
    if (!head.endsWith('\\r\\n\\r\\n')) return
    const key = /sec-websocket-key: *(\\S+)/i.exec(head)[1]
    const accept = crypto.createHash('sha1').update(key + '${GUID}').digest('base64')
    s.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n')
    s.write(all)
  })
})
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'))
`

async function floodServer(): Promise<number> {
  const started = await startFloodPeer(PEER, 'peer')
  peer = started.child
  return started.port
}

describe('WebSocket: a flood of tiny frames', () => {
  it('is taken a bounded number of messages per turn of the event loop; all are logged; a request goes through', async () => {
    const port = await floodServer()
    http = await startHttpServer()
    service = makeService()
    const r = await service.invoke('ws.open', { url: `ws://127.0.0.1:${port}/`, headers: [], protocols: [] })
    if (!r.ok) throw new Error(r.error.message)
    const sid = r.value.sid
    const entries = (): number => service?.streams.logs.get(sid)?.entries ?? 0
    // Messages logged between two turns of the event loop, at most.
    const counted = countPerTurn(entries, FRAMES, Date.now() + 25_000)
    // A plain request through the same engine while the flood runs.
    const request = send(service, spec(`${http.url}/json`))
    const { most, turns } = await counted
    expect((await request).final.type).toBe('done')
    console.log(`WebSocket flood: ${FRAMES} messages in ${turns} turns, at most ${most} in one turn`)
    // One socket read of 64 KB holds 16,384 of these frames; the session stops reading past 2,000 in a turn.
    expect(most).toBeLessThan(20_000)
    const last = await service.invoke('stream.read', { sid, from: FRAMES - 1, count: 1 })
    expect(last.ok && last.value.total).toBe(FRAMES)
  }, 40_000)
})
