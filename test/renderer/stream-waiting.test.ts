import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { streamState } from '../../src/renderer/streams/stream-state'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * An SSE session whose server took the connection and has not answered shows `waiting` (for its response
 * headers), not `connecting`: the connection is up, the status line is what is late. Once the server answers
 * with a stream it is `open`. The app's store over a real engine; a real TCP server on 127.0.0.1 that answers
 * when the test says so.
 */

let server: Server
let port = 0
const sockets = new Set<Socket>()
let engine: TestEngine

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  engine = startEngine()
})

afterAll(async () => {
  await stopEngines()
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('an SSE session the server has not answered yet', () => {
  it('is waiting for its response headers, then open once they come', async () => {
    const store = engine.store()
    store.getState().setKind('sse')
    store.getState().setUrl(`http://127.0.0.1:${port}/events`)
    await store.getState().openStream()
    const sid = store.getState().selectedSid ?? ''
    const row = () => store.getState().timeline.rows[sid]
    const state = () => {
      const r = row()
      return r ? streamState(r, store.getState().streamLanes[sid]) : null
    }
    // The request went out (the server has it) and nothing came back.
    await until(() => row()?.sent !== undefined && sockets.size > 0)
    expect(state()).toBe('waiting')
    for (const s of sockets)
      s.write(
        'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\r\ndata: hi\n\n',
      )
    await until(() => state() === 'open')
    await store.getState().cancel(sid)
    await until(() => row()?.end !== null)
  })
})
