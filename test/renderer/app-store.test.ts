import { describe, expect, it } from 'vitest'
import type { BodyChunk } from '../../src/shared/contract'
import type { TimelineEvent } from '../../src/shared/timeline'
import { createAppStore } from '../../src/renderer/store/app-store'
import { createLiveClock, driveLiveClock } from '../../src/renderer/store/live-clock'
import { BODY_PAGE_BYTES } from '../../src/renderer/details/body-text'
import { fakeClient } from './fake-client'
import { freshHttpsExchange, queued, timings } from './event-builders'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'

const NO_CAPABILITIES = {
  nativeDialogs: false,
  downloads: false,
  keychain: false,
  lastSessionOffer: false,
  openExternal: false,
}

const flush = () => new Promise((r) => setTimeout(r, 0))

function doneWithBody(sid: string, id: string, size: number, contentType: string): TimelineEvent[] {
  return [
    queued(sid, 0),
    {
      type: 'done',
      sid,
      t: 5,
      status: 200,
      wireBytes: size,
      bodyBytes: size,
      body: { id, size, contentType, onDisk: false },
      timings: timings({ time: 5 }),
    },
  ]
}

function toBase64(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin)
}

function bodyServer(bytes: Uint8Array) {
  return (p: { bodyId: string; offset: number; length: number; encoding: 'utf8' | 'base64' }) => {
    const slice = bytes.subarray(p.offset, p.offset + p.length)
    const value: BodyChunk = {
      bodyId: p.bodyId,
      offset: p.offset,
      encoding: 'base64',
      data: toBase64(slice),
      length: slice.length,
      total: bytes.length,
    }
    return { ok: true as const, value }
  }
}

describe('composer', () => {
  it('keeps URL and params table in sync both ways', () => {
    const store = createAppStore(fakeClient().client)
    store.getState().setUrl('https://api.test/items?page=2&q=a%20b')
    expect(selectActiveDraft(store.getState()).params).toEqual([
      { name: 'page', value: '2', enabled: true },
      { name: 'q', value: 'a b', enabled: true },
    ])
    store.getState().setParams([
      { name: 'page', value: '3', enabled: true },
      { name: 'q', value: 'a b', enabled: false },
    ])
    expect(selectActiveDraft(store.getState()).url).toBe('https://api.test/items?page=3')
    store.getState().setUrl('https://api.test/items?page=4&x=1')
    expect(selectActiveDraft(store.getState()).params).toEqual([
      { name: 'page', value: '4', enabled: true },
      { name: 'q', value: 'a b', enabled: false },
      { name: 'x', value: '1', enabled: true },
    ])
  })

  it('sends the composed request once and selects its row', async () => {
    const fake = fakeClient({ 'request.send': () => ({ ok: true, value: { sids: ['s7'] } }) })
    const store = createAppStore(fake.client)
    const s = store.getState()
    s.setMethod('POST')
    s.setUrl('http://127.0.0.1:8080/echo')
    s.setHeaders([
      { name: 'x-a', value: '1', enabled: true },
      { name: '', value: '', enabled: true },
    ])
    s.setBodyKind('json')
    s.setJsonBody('{"a":1}')
    s.setOption('insecure', true)
    await s.send()
    expect(fake.calls).toEqual([
      {
        name: 'request.send',
        payload: {
          auth: { type: 'inherit' },
          request: {
            method: 'POST',
            url: 'http://127.0.0.1:8080/echo',
            headers: [{ name: 'x-a', value: '1', enabled: true }],
            body: { kind: 'json', text: '{"a":1}' },
            options: {
              followRedirects: true,
              maxRedirects: 10,
              insecure: true,
              totalTimeoutMs: 0,
              acceptPush: false,
            },
          },
        },
      },
    ])
    expect(store.getState().selectedSid).toBe('s7')
  })

  it('sends N copies with count and selects the first', async () => {
    const fake = fakeClient({
      'request.send': () => ({ ok: true, value: { sids: ['a', 'b', 'c'], batchId: 'b1' } }),
    })
    const store = createAppStore(fake.client)
    store.getState().setUrl('http://h/')
    store.getState().setSendCount(3)
    await store.getState().send(store.getState().sendCount)
    expect(fake.calls[0]?.payload).toMatchObject({ count: 3 })
    expect(store.getState().selectedSid).toBe('a')
    store.getState().setSendCount(5000)
    expect(store.getState().sendCount).toBe(1000)
    store.getState().setSendCount(0)
    expect(store.getState().sendCount).toBe(1)
  })

  it('shows a command error and clears it on the next send', async () => {
    let fail = true
    const fake = fakeClient({
      'request.send': () =>
        fail
          ? {
              ok: false,
              error: { code: 'bad_payload', message: 'Invalid http.send payload at request.method' },
            }
          : { ok: true, value: { sids: ['x'] } },
    })
    const store = createAppStore(fake.client)
    await store.getState().send()
    expect(store.getState().sendError).toEqual({
      code: 'bad_payload',
      message: 'Invalid http.send payload at request.method',
    })
    fail = false
    await store.getState().send()
    expect(store.getState().sendError).toBeNull()
  })
})

describe('timeline in the store', () => {
  it('applies a 1,000-event batch from the host in exactly one store update', () => {
    const fake = fakeClient({
      'app.info': () => ({
        ok: true,
        value: { version: '0', host: 'test', capabilities: NO_CAPABILITIES, clockOrigin: 0, now: 0 },
      }),
    })
    const store = createAppStore(fake.client)
    const off = store.getState().connect()
    let updates = 0
    const unsub = store.subscribe(() => updates++)
    const events: TimelineEvent[] = []
    for (let i = 0; i < 125; i++) events.push(...freshHttpsExchange(`s${i}`, i))
    fake.emit({ events, dropped: 0 })
    expect(updates).toBe(1)
    expect(store.getState().timeline.order).toHaveLength(125)
    unsub()
    off()
    expect(fake.listenerCount()).toBe(0)
  })

  it('syncs the engine clock from app.info', async () => {
    let local = 1000
    const fake = fakeClient({
      'app.info': () => ({
        ok: true,
        value: { version: '0', host: 'test', capabilities: NO_CAPABILITIES, clockOrigin: 1, now: 250 },
      }),
    })
    const store = createAppStore(fake.client, { localNow: () => (local += 10) })
    store.getState().connect()
    await flush()
    expect(store.getState().clockSync).toEqual({ engineAt: 250, localAt: 1015 })
  })

  it('moves the selection with the arrow keys and cancels only in-flight rows', async () => {
    const fake = fakeClient({ 'session.cancel': () => ({ ok: true, value: { cancelled: true } }) })
    const store = createAppStore(fake.client)
    store.getState().applyTimelineBatch({
      events: [...freshHttpsExchange('a', 0), queued('b', 1), queued('c', 2)],
      dropped: 0,
    })
    const s = store.getState()
    s.moveSelection(1)
    expect(store.getState().selectedSid).toBe('a')
    s.moveSelection(1)
    s.moveSelection(1)
    s.moveSelection(1)
    expect(store.getState().selectedSid).toBe('c')
    s.moveSelection(-1)
    expect(store.getState().selectedSid).toBe('b')
    await s.cancelSelected()
    s.selectEdge('first')
    await s.cancelSelected()
    expect(fake.calls).toEqual([{ name: 'session.cancel', payload: { sid: 'b' } }])
  })

  it('clears finished rows and the selection that pointed at one', () => {
    const store = createAppStore(fakeClient().client)
    store
      .getState()
      .applyTimelineBatch({ events: [...freshHttpsExchange('a', 0), queued('b', 1)], dropped: 0 })
    store.getState().select('a')
    store.getState().clearFinished()
    expect(store.getState().timeline.order).toEqual(['b'])
    expect(store.getState().selectedSid).toBeNull()
  })
})

describe('body pane', () => {
  it('reads the first page only, and the next on "Load more", keeping split characters whole', async () => {
    const text = 'a'.repeat(BODY_PAGE_BYTES - 1) + 'é' + 'tail'
    const bytes = new TextEncoder().encode(text)
    const fake = fakeClient({ 'body.read': bodyServer(bytes) })
    const store = createAppStore(fake.client)
    store
      .getState()
      .applyTimelineBatch({ events: doneWithBody('s', 'b1', bytes.length, 'text/plain'), dropped: 0 })
    await store.getState().loadBody('s')
    let body = store.getState().body
    expect(fake.calls[0]?.payload).toEqual({
      bodyId: 'b1',
      offset: 0,
      length: BODY_PAGE_BYTES,
      encoding: 'base64',
    })
    expect(body?.loaded).toBe(BODY_PAGE_BYTES - 1)
    expect(body?.text.length).toBe(BODY_PAGE_BYTES - 1)
    await store.getState().loadMoreBody()
    body = store.getState().body
    expect(fake.calls[1]?.payload).toMatchObject({
      offset: BODY_PAGE_BYTES - 1,
      length: bytes.length - BODY_PAGE_BYTES + 1,
    })
    expect(body?.text).toBe(text)
    expect(body?.loaded).toBe(bytes.length)
    await store.getState().loadMoreBody()
    expect(fake.calls).toHaveLength(2)
  })

  it('does not read an empty body and marks binary bodies', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])
    const fake = fakeClient({ 'body.read': bodyServer(png) })
    const store = createAppStore(fake.client)
    store.getState().applyTimelineBatch({
      events: [
        ...doneWithBody('e', 'b0', 0, ''),
        ...doneWithBody('p', 'b2', png.length, 'application/x-unknown'),
      ],
      dropped: 0,
    })
    await store.getState().loadBody('e')
    expect(store.getState().body).toMatchObject({ total: 0, text: '', binary: false })
    await store.getState().loadBody('p')
    expect(store.getState().body).toMatchObject({ bodyId: 'b2', binary: true, text: '' })
    expect(fake.calls).toHaveLength(1)
  })

  it('shows a read error plainly', async () => {
    const fake = fakeClient({
      'body.read': () => ({ ok: false, error: { code: 'not_found', message: 'That body is gone' } }),
    })
    const store = createAppStore(fake.client)
    store.getState().applyTimelineBatch({ events: doneWithBody('s', 'b1', 10, 'text/plain'), dropped: 0 })
    await store.getState().loadBody('s')
    expect(store.getState().body?.error?.message).toBe('That body is gone')
  })
})

describe('live clock', () => {
  it('ticks on animation frames only while something is in flight', () => {
    const store = createAppStore(fakeClient().client)
    store.setState({ clockSync: { engineAt: 100, localAt: 0 } })
    const clock = createLiveClock()
    const pending: (() => void)[] = []
    let local = 0
    const stop = driveLiveClock(store, clock, {
      request: (cb) => pending.push(cb),
      cancel: () => {},
      localNow: () => local,
    })
    expect(clock.getState().now).toBe(100)
    expect(pending).toHaveLength(0)
    store.getState().applyTimelineBatch({ events: [queued('a', 100)], dropped: 0 })
    expect(pending).toHaveLength(1)
    local = 16
    pending.shift()?.()
    expect(clock.getState().now).toBe(116)
    expect(pending).toHaveLength(1)
    store.getState().applyTimelineBatch({
      events: [{ type: 'cancelled', sid: 'a', t: 120, timings: timings() }],
      dropped: 0,
    })
    local = 32
    pending.shift()?.()
    expect(clock.getState().now).toBe(132)
    expect(pending).toHaveLength(0)
    stop()
  })
})
