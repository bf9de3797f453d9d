import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { makeService } from '../engine/helpers'
import { record, settle, type Recorder } from '../engine/stream-helpers'
import { nameCell } from './row-name-cell'

/** The name column of a Socket.IO session's timeline row, drawn from a real session's events. */

let server: SocketIoFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startSocketIoServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
})

const cell = (sid: string): { name: string; where: string } => nameCell(service, rec, sid)

async function openAndClose(namespace: string): Promise<string> {
  const r = await service.invoke('socketio.open', {
    url: server.url,
    headers: [],
    query: [],
    listen: [],
    namespace,
  })
  if (!r.ok) throw new Error(r.error.message)
  const sid = r.value.sid
  // The fixture's /admin refuses a connection without its token: the row is named as it was sent either way.
  await rec.until(sid, (e) => e.type === 'stream-open' || e.type === 'error')
  await service.invoke('session.cancel', { sid })
  await settle(service, sid)
  return sid
}

describe('a Socket.IO row in the timeline', () => {
  it('on the default namespace is named by its server, host:port, not by the path "/"', async () => {
    const hostPort = new URL(server.url).host
    expect(cell(await openAndClose('/'))).toEqual({ name: hostPort, where: '' })
  })

  it('on another namespace is named by the namespace', async () => {
    // (Its server goes beside it; here the error the refusal gave takes that place, as on any failed row.)
    expect(cell(await openAndClose('/admin')).name).toBe('/admin')
  })
})
