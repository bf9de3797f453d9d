import type { ApiClient } from '../../src/renderer/client/api-client'
import { createAppStore, type AppStore } from '../../src/renderer/store/app-store'
import { engineClient, until } from './engine-client'
import type { TestEngine } from './store-over-engine'

/**
 * Pages (stores) over a real engine as the timeline-replay tests open them: a page gets the engine's past from
 * its timeline replay and its present from live batches, and these tests hold the replay back or reload.
 */

/** A new page over `engine`, connected, once its timeline replay has come in whole. */
export async function openedPage(engine: TestEngine, ms?: number): Promise<AppStore> {
  const store = engine.store()
  await replayed(store, ms)
  return store
}

/** Waits (bounded) until `store`'s timeline replay has come in whole. */
export function replayed(store: AppStore, ms?: number): Promise<void> {
  return until(() => store.getState().replayedSessions !== null, ms)
}

/**
 * A page over `engine`, connected, whose `nth` timeline.replay call (a page of the replay) is answered only
 * when the test releases it, as over a slow transport; live batches come meanwhile.
 */
export function heldReplayPage(engine: TestEngine, nth = 1): { store: AppStore; release(): void } {
  const base = engineClient(engine.service)
  let release = (): void => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  let replays = 0
  const client: ApiClient = {
    on: base.on,
    invoke: async (name, payload) => {
      if (name === 'timeline.replay' && ++replays === nth) await held
      return base.invoke(name, payload)
    },
  }
  const store = createAppStore(client, { localNow: () => 0 })
  store.getState().connect()
  return { store, release }
}

/** `count` GETs of `url` through the engine (http.send, as a Send with a repeat count): their session ids. */
export async function sendGets(engine: TestEngine, url: string, count = 1): Promise<string[]> {
  const sent = await engine.service.invoke('http.send', {
    request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
    count,
  })
  if (!sent.ok) throw new Error(sent.error.message)
  return [...sent.value.sids]
}

/** Opens a `kind` stream to `url` from `page`'s composer, as the person does: the new session's id. */
export async function openStreamFrom(page: AppStore, kind: 'sse' | 'ws', url: string): Promise<string> {
  page.getState().setKind(kind)
  page.getState().setUrl(url)
  await page.getState().openStream()
  const sid = page.getState().selectedSid
  if (!sid) throw new Error(`the ${kind} stream to ${url} did not open`)
  return sid
}
