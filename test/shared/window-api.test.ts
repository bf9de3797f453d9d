import { describe, expect, it } from 'vitest'
import { createApiClient } from '../../src/renderer/client/api-client'
import type { FlightdeckApi, HostEvent, TimelineBatch } from '../../src/shared/contract'
import type { Result } from '../../src/shared/result'
import { buildWindowApi, type ApiTransport } from '../../src/shared/window-api'

/**
 * `window.api` is the same in every host: one builder, given the host's transport (IPC in the preload, a
 * WebSocket in the browser bridge). These pin what the page sees whatever carries it.
 */

function transport(answer: (name: string) => Promise<Result<unknown>>) {
  let deliver: (message: unknown) => void = () => undefined
  let listens = 0
  const t: ApiTransport = {
    call: (name) => answer(name),
    listen: (next) => {
      listens++
      deliver = next
    },
  }
  return { t, push: (message: unknown) => deliver(message), listens: () => listens }
}

const batch: TimelineBatch = { events: [], dropped: 0 }

describe('window.api, built once for every host', () => {
  it('a transport that breaks answers as data, naming the command', async () => {
    const { t } = transport(() => Promise.reject(new Error('channel closed')))
    const res = await buildWindowApi(t).invoke('settings.get', {})
    expect(res).toEqual({
      ok: false,
      error: { code: 'internal', message: 'The host did not answer settings.get', detail: 'channel closed' },
    })
  })

  it('delivers every host event on one path, ignores what is not an event, and survives a faulty listener', () => {
    const { t, push, listens } = transport(() => Promise.resolve({ ok: true, value: null }))
    const api = buildWindowApi(t)
    expect(listens()).toBe(1)
    const seen: HostEvent[] = []
    const error = console.error
    console.error = () => undefined
    try {
      api.onEvent(() => {
        throw new Error('listener bug')
      })
      const off = api.onEvent((e) => seen.push(e))
      push({ name: 'timeline.batch', payload: batch })
      push('not an event')
      push({ name: 42, payload: {} })
      push(null)
      off()
      push({ name: 'timeline.batch', payload: batch })
    } finally {
      console.error = error
    }
    expect(seen).toEqual([{ name: 'timeline.batch', payload: batch }])
    expect(Object.isFrozen(api)).toBe(true)
  })

  it("the renderer's client subscribes to the host once and routes events by name", () => {
    let subscriptions = 0
    let push: (e: HostEvent) => void = () => undefined
    const api: FlightdeckApi = {
      invoke: () => Promise.reject(new Error('unused')),
      onEvent: (listener) => {
        subscriptions++
        push = listener
        return () => undefined
      },
    }
    const client = createApiClient(api)
    const batches: TimelineBatch[] = []
    const changes: unknown[] = []
    const offBatches = client.on('timeline.batch', (b) => batches.push(b))
    client.on('collection.changed', (c) => changes.push(c))
    client.on('run.progress', () => undefined)
    expect(subscriptions).toBe(1)
    push({ name: 'timeline.batch', payload: batch })
    offBatches()
    push({ name: 'timeline.batch', payload: batch })
    expect(batches).toHaveLength(1)
    expect(changes).toHaveLength(0)
  })
})
