import { expect } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService, send, spec } from '../engine/helpers'
import { startHttpServer } from '../fixtures/servers'
import { countPerTurn, startFloodPeer } from './flood-peer'

/**
 * One flood-fairness attack: a peer in a child process floods tiny messages at a session, and the engine must
 * log every one, take a bounded number per turn of the event loop, and still carry plain requests sent
 * meanwhile. Each protocol's test gives its peer, how it opens the session and its bound; the timings are
 * printed, not asserted (a shared machine's timing is not a test's to judge).
 */
export interface FloodCase {
  /** What the printed line and the errors call the flood. */
  label: string
  /** A Node script that listens on 127.0.0.1, prints its port on a line, and floods whoever connects. */
  peer: string
  /** Opens the session against the peer's port; returns its sid. */
  open(engine: EngineService, port: number): Promise<string>
  /** Messages the peer sends in all. */
  total: number
  /** Messages logged before the requests are timed through the flood (the flood is under way). */
  underWayAt: number
  /** The most messages one turn of the event loop may log. */
  mostInATurn: number
  /** How many plain requests must have gone through during the flood. */
  leastSends: number
  /**
   * How long the whole flood may take, in ms: a bound on a hang, not a judgement of speed, so wide enough for a
   * shared machine (at load 17-20 the MQTT TCP flood took about 50 s, Socket.IO's 40 s, WebSocket's 15 s).
   */
  withinMs: number
}

/** Most plain requests timed during a flood (one after another, while it is under 90% logged). */
const SENDS = 15

/** Runs `c` on a fresh engine and peer, asserting what a user would notice; stops both, pass or fail. */
export async function floodThrough(c: FloodCase): Promise<void> {
  const started = await startFloodPeer(c.peer, c.label)
  const http = await startHttpServer()
  const engine = makeService()
  try {
    const url = `${http.url}/json`
    // The same request on a quiet engine, for scale.
    const quiet: number[] = []
    for (let i = 0; i < 5; i++) quiet.push(await timed(engine, url))
    const sid = await c.open(engine, started.port)
    const entries = (): number => engine.streams.logs.get(sid)?.entries ?? 0
    const deadline = Date.now() + c.withinMs
    while (entries() < c.underWayAt) {
      if (Date.now() > deadline) throw new Error(`the ${c.label} never started: ${entries()} messages`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    // Messages logged between two turns of the event loop, at most, over the whole flood.
    const counted = countPerTurn(entries, c.total, deadline)
    const during: number[] = []
    for (let i = 0; i < SENDS && entries() < c.total * 0.9; i++) during.push(await timed(engine, url))
    const { most, turns } = await counted
    console.log(
      `${c.label}: ${c.total} messages in ${turns} turns, at most ${most} in one; a request's median ` +
        `${median(quiet).toFixed(1)} ms quiet, ${median(during).toFixed(1)} ms during the flood ` +
        `(${during.length} sends: ${during.map((d) => d.toFixed(0)).join(', ')})`,
    )
    expect(during.length).toBeGreaterThanOrEqual(c.leastSends)
    const last = await engine.invoke('stream.read', { sid, from: c.total - 1, count: 1 })
    expect(last.ok && last.value.total).toBe(c.total)
    expect(most).toBeLessThanOrEqual(c.mostInATurn)
  } finally {
    await engine.dispose()
    started.child.kill()
    await http.close()
  }
}

/** One plain request through `engine`, which must end with its response: how long it took, in ms. */
async function timed(engine: EngineService, url: string): Promise<number> {
  const t = performance.now()
  const x = await send(engine, spec(url))
  expect(x.final.type).toBe('done')
  return performance.now() - t
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

/** The sid of a session an `*.open` command opened, or its error thrown. */
export function sidOf(
  r: { ok: true; value: { sid: string } } | { ok: false; error: { message: string } },
): string {
  if (!r.ok) throw new Error(r.error.message)
  return r.value.sid
}
