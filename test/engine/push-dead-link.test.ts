import { afterAll, beforeAll, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startCuttableProxy, type CuttableProxy } from '../fixtures/cuttable-proxy'
import { startPushServer, type PushFixture } from '../fixtures/push-server'
import { done, makeService, send, sleep, spec, writeTemp } from './helpers'

/**
 * A request sent with "Accept server push" has an HTTP/2 connection of its own, which it closes once the request
 * and its pushes have ended. When nothing answers that close (a peer gone silent, a link that died as the close
 * went out), the connection must still go: Node's session.close() then session.destroy() end the socket only once
 * the peer ends its side, so each such request kept a socket open for as long as the process lived.
 */

let service: EngineService
let push: PushFixture
let proxy: CuttableProxy

beforeAll(async () => {
  service = makeService()
  push = await startPushServer()
  proxy = await startCuttableProxy(Number(new URL(push.url).port), 'https', { deadOnEnd: true })
})
afterAll(async () => {
  await service.dispose()
  await proxy.close()
  await push.close()
})

const tcpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length

it('closes its connection when the server never answers the close', async () => {
  const caFile = writeTemp('ca.pem', push.pki.ca.cert)
  const url = `https://localhost:${new URL(proxy.url).port}/plain`
  const before = tcpSockets()
  for (let i = 0; i < 3; i++) {
    const r = await send(service, spec(url, {}, { acceptPush: true, caFile }))
    expect(done(r).status).toBe(200)
  }
  // The proxy keeps its end of each dead connection; the engine's ends go after a grace of about a second.
  expect(proxy.open()).toBe(3)
  const deadline = Date.now() + 15_000
  while (tcpSockets() - before > proxy.open() && Date.now() < deadline) await sleep(50)
  expect(tcpSockets() - before).toBe(proxy.open())
}, 30_000)
