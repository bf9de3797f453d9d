import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { DoneEvent, QueuedEvent } from '../../src/shared/timeline'
import { startPushServer, type PushFixture } from '../fixtures/push-server'
import { bodyText, done, makeService, send, spec, writeTemp } from './helpers'

/**
 * A pushed response's Set-Cookie goes into the cookie jar as any response's does, when cookies are on: the next
 * request to that site carries it. The push is for the request's own origin (others are refused), so the jar's
 * domain and path rules apply to its URL as to any response's.
 */

let push: PushFixture
let caFile: string

beforeAll(async () => {
  push = await startPushServer()
  caFile = writeTemp('ca.pem', push.pki.ca.cert)
})
afterAll(async () => {
  await push.close()
})

async function pushThenAsk(service: EngineService, cookies: boolean): Promise<string> {
  const options = { acceptPush: true, caFile, cookies }
  const r = await send(service, spec(`${push.url}/cookie`, {}, options))
  const parent = done(r)
  expect(parent.pushes).toEqual({ accepted: 1, refused: 0 })
  const pushed = r.events.find(
    (e): e is QueuedEvent => e.type === 'queued' && e.initiator === parent.sid && !!e.promised,
  )
  const end = r.events.find((e): e is DoneEvent => e.type === 'done' && e.sid === pushed?.sid)
  expect(end?.status).toBe(200)
  return bodyText(service, done(await send(service, spec(`${push.url}/cookies`, {}, options))))
}

describe('a pushed response that sets a cookie', { timeout: 20_000 }, () => {
  it('stores it in the jar when cookies are on: the next request to the site sends it', async () => {
    const service = makeService()
    try {
      expect(await pushThenAsk(service, true)).toBe('pushed=yes')
    } finally {
      await service.dispose()
    }
  })

  it('stores nothing when cookies are off', async () => {
    const service = makeService()
    try {
      expect(await pushThenAsk(service, false)).toBe('none')
    } finally {
      await service.dispose()
    }
  })
})
