import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from '../engine/helpers'
import { readLog, record, settle, type Recorder } from '../engine/stream-helpers'
import { startPythonWebsockets, type PythonWebsockets } from '../fixtures/python-websockets'

/**
 * A WebSocket session against Debian's python3-websockets, a server we did not write: what it echoes back is the
 * check, through the compression it negotiates by default, and its close code and reason are what the timeline
 * says.
 */

let peer: PythonWebsockets
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  peer = await startPythonWebsockets()
  service = makeService()
  rec = record(service)
})

afterAll(async () => {
  rec.stop()
  await service?.dispose()
  await peer?.close()
})

async function open(): Promise<string> {
  const r = await service.invoke('ws.open', { url: peer.url, headers: [], protocols: [] })
  if (!r.ok) throw new Error(r.error.message)
  await rec.until(r.value.sid, (e) => e.type === 'stream-open')
  return r.value.sid
}

describe('against python3-websockets', () => {
  it('text, a large compressible text and binary come back as sent', async () => {
    const sid = await open()
    // The library's default: messages compressed both ways.
    const opened = rec.of(sid).find((e) => e.type === 'stream-open')
    expect(opened?.type === 'stream-open' && opened.extensions).toContain('permessage-deflate')
    const big = 'flightdeck '.repeat(20_000)
    for (const s of [
      { kind: 'text' as const, data: 'héllo ✈' },
      { kind: 'text' as const, data: big },
      { kind: 'binary' as const, data: '00 ff 10 80', encoding: 'hex' as const },
    ]) {
      const r = await service.invoke('ws.send', { sid, ...s })
      expect(r.ok).toBe(true)
    }
    await rec.until(sid, (e) => e.type === 'ws-message' && e.dir === 'in' && e.kind !== 'ping', 3)
    const log = await readLog(service, sid)
    const ins = log.filter((e) => e.dir === 'in' && (e.kind === 'text' || e.kind === 'binary'))
    expect(ins.map((e) => `${e.kind}:${e.size}`)).toEqual([
      `text:${Buffer.byteLength('héllo ✈')}`,
      `text:${big.length}`,
      'binary:4',
    ])
    expect(ins[0]?.data).toBe('héllo ✈')
    expect(ins[2]).toMatchObject({
      encoding: 'base64',
      data: Buffer.from('00ff1080', 'hex').toString('base64'),
    })
    await service.invoke('ws.close', { sid })
    const end = await settle(service, sid)
    expect(end.final.type).not.toBe('error')
  })

  it("the server's close code and reason are what the session ends with", async () => {
    const sid = await open()
    await service.invoke('ws.send', { sid, kind: 'text', data: 'close 1001' })
    await settle(service, sid)
    const closed = rec.of(sid).find((e) => e.type === 'stream-closed')
    expect(closed).toMatchObject({ by: 'server', code: 1001, willRetry: false })
    expect(closed?.type === 'stream-closed' && closed.reason).toContain('going away')
  })
})
