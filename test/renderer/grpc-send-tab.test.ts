import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { StreamDetailsSwitch } from '../../src/renderer/streams/StreamDetails'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'
import { renderOverStore } from './render-over-store'

/**
 * A gRPC call's details, invoked from the app against a real grpc-js server: only a client or bidi stream has a
 * Send tab (a unary or server-streaming call has sent its one message and half-closed), and the lane's "sent"
 * count is the messages sent, the half-close not among them.
 */

let server: GrpcTestServer
let engine: TestEngine

beforeAll(async () => {
  server = await startGrpcServer()
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
  await server.close()
})

/** The text a person reads in the rendered details pane (tags dropped), one piece a line. */
function detailsText(store: AppStore): string {
  const html = renderOverStore(store, createElement(StreamDetailsSwitch, null, 'not a stream'))
  return html
    .replace(/<[^>]+>/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')
}

async function invoke(store: AppStore, method: string, message: string): Promise<string> {
  const s = store.getState
  s().setGrpcDraft({ method, message })
  await s().invokeGrpc()
  expect(s().sendError).toBeNull()
  const sid = s().selectedSid ?? ''
  await until(() => s().streamLanes[sid]?.openSince != null || s().timeline.rows[sid]?.end != null)
  return sid
}

describe("a gRPC call's details", () => {
  it('have a Send tab for a bidi stream only, and count sent messages without the half-close', async () => {
    const store = engine.store()
    const s = store.getState
    s().setKind('grpc')
    s().setUrl(server.target)
    s().setGrpcDraft({ plaintext: true })
    await s().loadGrpcSchema()

    const count = await invoke(store, 'flightdeck.test.Echo/Count', '{"n": 2}')
    await until(() => s().timeline.rows[count]?.end != null)
    expect(detailsText(store)).toMatch(/^Messages\nHandshake$/m)
    expect(detailsText(store)).not.toMatch(/^Send$/m)
    // A server stream sent its one message; the half-close that follows is not a second.
    expect(s().streamLanes[count]?.sent).toBe(1)

    const chat = await invoke(store, 'flightdeck.test.Echo/Chat', '{"text": "one"}')
    expect(detailsText(store)).toMatch(/^Messages\nSend\nHandshake$/m)
    // Its Send box completes and checks the request type: the call keeps where its schema is.
    const types = s().grpcSendTypes[chat]
    expect(types?.requestType).toBe('flightdeck.test.SayRequest')
    const schema = s().grpcSchemas[types?.schemaKey ?? '']
    expect(schema?.state === 'ready' && schema.info.types?.['flightdeck.test.SayRequest']).toMatchObject({
      kind: 'message',
    })
    expect(await s().sendGrpcMessage(chat, '{"text": "two"}')).toBeNull()
    await until(() => s().streamLanes[chat]?.received === 2)
    expect(await s().endGrpc(chat)).toBeNull()
    await until(() => s().timeline.rows[chat]?.end != null)
    expect(s().streamLanes[chat]?.sent).toBe(2)
    expect(s().streamLanes[chat]?.markers.some((m) => m.label === 'Half-closed')).toBe(true)
    expect(detailsText(store)).toContain('↑ 2 sent')
  })
})
