import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { ColumnId } from '../../src/renderer/timeline/columns'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { TimelineRow } from '../../src/renderer/timeline/TimelineRow'
import { createAppStore } from '../../src/renderer/store/app-store'
import { createLiveClock } from '../../src/renderer/store/live-clock'
import { StoresContext } from '../../src/renderer/store/store-context'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { makeService } from '../engine/helpers'
import { record, settle, type Recorder } from '../engine/stream-helpers'
import { fakeClient } from './fake-client'

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

/** The row's name cell as the page draws it: its two parts' text. */
function nameCell(sid: string): { name: string; where: string } {
  service.flush()
  const app = createAppStore(fakeClient().client)
  app.setState({ timeline: applyBatch(EMPTY_TIMELINE, { events: rec.of(sid), dropped: 0 }) })
  const stores = { app: { ...app, getInitialState: () => app.getState() }, clock: createLiveClock() }
  const columns: readonly ColumnId[] = ['name']
  const html = renderToStaticMarkup(
    createElement(
      StoresContext.Provider,
      { value: stores },
      createElement(TimelineRow, { sid, index: 0, top: 0, columns }),
    ),
  )
  const part = (cls: string): string =>
    new RegExp(`<span class="${cls}[^"]*">([^<]*)</span>`).exec(html)?.[1] ?? '(none)'
  return { name: part('path'), where: part('host') }
}

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
    expect(nameCell(await openAndClose('/'))).toEqual({ name: hostPort, where: '' })
  })

  it('on another namespace is named by the namespace', async () => {
    // (Its server goes beside it; here the error the refusal gave takes that place, as on any failed row.)
    expect(nameCell(await openAndClose('/admin')).name).toBe('/admin')
  })
})
