import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HoverCard } from '../../src/renderer/timeline/HoverCard'
import { TraceSwitch } from '../../src/renderer/timeline/TraceLink'
import { RunnerPanel } from '../../src/renderer/runner/RunnerPanel'
import { StreamDetailsSwitch } from '../../src/renderer/streams/StreamDetails'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { until } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'
import { renderOverStore } from './render-over-store'

/** Where a person sees the trace id the toolbar's Trace switch (or a `trace:` setting) gave a request or stream. */

const WELL_FORMED = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/

let engine: TestEngine
let sse: SseFixture

beforeAll(async () => {
  sse = await startSseServer()
  engine = startEngine()
})
afterAll(async () => {
  await stopEngines()
  await sse.close()
})

const storeFor = () => {
  const store = engine.store()
  return store
}

describe("the toolbar's Trace switch", () => {
  it('says "Trace on" in words while it is on, not only by its pressed look; its name stays Trace', () => {
    const store = storeFor()
    store.getState().setTraceSends(false)
    const off = renderOverStore(store, createElement(TraceSwitch))
    expect(textOf(off)).toBe('Trace')
    expect(off).toContain('aria-pressed="false"')
    store.getState().setTraceSends(true)
    const on = renderOverStore(store, createElement(TraceSwitch))
    expect(textOf(on).replace(/\s+/g, ' ')).toBe('Trace on')
    expect(on).toContain('aria-pressed="true"')
    expect(on).toMatch(/<span[^>]*aria-hidden="true"[^>]*> ?on<\/span>/)
    store.getState().setTraceSends(false)
  })

  it('reaches a stream opened from an Untitled tab: the server gets the traceparent, the row names its id', async () => {
    const store = storeFor()
    store.getState().setTraceSends(true)
    store.getState().setKind('sse')
    store.getState().setUrl(`${sse.url}/events?n=1&from=switch-on`)
    await store.getState().openStream()
    expect(store.getState().sendError).toBeNull()
    const sid = store.getState().selectedSid ?? ''
    await until(() => store.getState().timeline.rows[sid]?.sent !== undefined)
    await until(() => sse.requests.some((r) => r.path.includes('switch-on')))
    const header = sse.requests.find((r) => r.path.includes('switch-on'))?.headers['traceparent']
    const m = WELL_FORMED.exec(typeof header === 'string' ? header : '')
    expect(m).not.toBeNull()
    expect(store.getState().timeline.rows[sid]?.sent?.traceId).toBe(m?.[1])
    // The stream's details show it, as a request's do.
    const details = textOf(renderOverStore(store, createElement(StreamDetailsSwitch, null, 'not a stream')))
    expect(details).toContain(`Trace\n${m?.[1]}\nCopy`)
    await store.getState().cancel(sid)
  })
})

/** The text a person reads in a rendered component (tags dropped). */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')
}

describe('the hover card', () => {
  it('names the start of the trace a send went out with, and nothing for an untraced one', async () => {
    const store = storeFor()
    const card = (sid: string): string =>
      textOf(
        renderOverStore(
          store,
          createElement(HoverCard, { sid, left: 0, top: 0, frameWidth: 800, frameHeight: 600 }),
        ),
      )
    const sendOne = async (): Promise<string> => {
      await store.getState().send()
      expect(store.getState().sendError).toBeNull()
      const sid = store.getState().selectedSid ?? ''
      await until(() => (store.getState().timeline.rows[sid]?.terminal ?? null) !== null)
      return sid
    }
    store.getState().setUrl(`${sse.url}/status/200?from=hover`)
    store.getState().setTraceSends(true)
    const traced = await sendOne()
    const id = store.getState().timeline.rows[traced]?.sent?.traceId ?? ''
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(card(traced)).toContain(`trace ${id.slice(0, 8)}…`)
    store.getState().setTraceSends(false)
    const plain = await sendOne()
    expect(card(plain)).not.toContain('trace ')
  })
})

describe('the Runner', () => {
  /** A collection whose `per-send` folder has a passing and a failing request, and a `per-run` folder. */
  async function openCollection(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'fd-trace-runner-'))
    const file = (rel: string, text: string): void => {
      mkdirSync(join(dir, rel, '..'), { recursive: true })
      writeFileSync(join(dir, rel), text)
    }
    const check = 'assertions:\n  - kind: status\n    equals: 200\n'
    file('collection.yaml', `flightdeck: 1\nname: traced\nvariables:\n  base: ${sse.url}\n`)
    file('environments/jaeger.yaml', 'name: Jaeger\ntraceLink: http://localhost:16686/trace/{traceId}\n')
    file('each/folder.yaml', 'trace: per-send\n')
    file('each/ok.yaml', `name: ok\nmethod: GET\nurl: "{{base}}/status/200"\n${check}`)
    file('each/broken.yaml', `name: broken\nmethod: GET\nurl: "{{base}}/status/500"\n${check}`)
    file('one/folder.yaml', 'trace: per-run\n')
    file('one/a.yaml', `name: a\nmethod: GET\nurl: "{{base}}/status/200?step=a"\n${check}`)
    file('one/b.yaml', `name: b\nmethod: GET\nurl: "{{base}}/status/200?step=b"\n${check}`)
    const opened = await engine.service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    return dir
  }

  it("names each request's trace (a failed one's first), or the run's one trace once", async () => {
    const dir = await openCollection()
    const store = storeFor()
    await store.getState().loadCollections()
    const html = (): string => renderOverStore(store, createElement(RunnerPanel))
    const panel = (): string => textOf(html())
    const run = async (path: string): Promise<void> => {
      store.getState().openRunner(dir, path, path)
      // The run's environment has the traceLink; the page has none chosen.
      store.getState().setRunConfig({ concurrency: 1, iterations: 2, env: 'jaeger' })
      await store.getState().startRun()
      expect(store.getState().runError).toBeNull()
      await until(() => (store.getState().run?.finished ?? null) !== null, 15_000)
    }
    const sentTrace = (sid: string | undefined): string | undefined =>
      store.getState().timeline.rows[sid ?? '']?.sent?.traceId

    await run('each')
    const got = await engine.service.invoke('run.get', { runId: store.getState().run?.runId ?? '' })
    if (!got.ok) throw new Error(got.error.message)
    const results = got.value.results
    const broken = results
      .filter((r) => r.path === 'each/broken.yaml')
      .sort((a, b) => a.iteration - b.iteration)
    const ok = results.filter((r) => r.path === 'each/ok.yaml').sort((a, b) => a.iteration - b.iteration)
    const firstFailure = broken[0]?.traceId ?? ''
    const latestOk = ok[1]?.traceId ?? ''
    expect(firstFailure).toMatch(/^[0-9a-f]{32}$/)
    expect(sentTrace(broken[0]?.sid)).toBe(firstFailure)
    const text = panel()
    expect(text).toContain(`${firstFailure}\n(#1, failed)`)
    expect(text).toContain(`${latestOk}\n(#2)`)
    expect(text).not.toContain(broken[1]?.traceId ?? 'none')
    expect(text).not.toContain('the whole run')
    // Open trace follows the run's environment's traceLink.
    expect(html()).toContain(`http://localhost:16686/trace/${firstFailure}`)

    await run('one')
    const again = await engine.service.invoke('run.get', { runId: store.getState().run?.runId ?? '' })
    if (!again.ok) throw new Error(again.error.message)
    const ids = new Set(again.value.results.map((r) => r.traceId))
    expect(ids.size).toBe(1)
    const [only] = ids
    const once = panel()
    expect(once).toContain(`${only}\n(the whole run)`)
    expect(once.split(only ?? 'none').length - 1).toBe(1)
  })
})
