import { describe, it } from 'vitest'
import { TURN_FRAMES } from '../../src/engine/ws/ws-turn-pacer'
import { rawWsPeerSource } from '../fixtures/raw-ws-peer'
import { floodThrough, sidOf } from './flood-fairness'

/**
 * A WebSocket server that floods tiny frames (4 bytes each, 1,000,000 of them). Node reads a busy socket up to
 * 32 times per turn of the event loop, so the engine took hundreds of thousands of messages in one turn while
 * nothing else ran: a plain request sent meanwhile waited seconds. Now one connection takes a bounded number
 * of messages per turn, every message is still logged, and a request goes through.
 */

const FRAMES = 1_000_000

/** The flooding server, in a child process as a real one would be: it writes every frame after the upgrade. */
const PEER = rawWsPeerSource({
  setup: `const all = Buffer.concat(Array(${FRAMES}).fill(text('hi')))`,
  upgraded: 's.write(all)',
})

describe('WebSocket: a flood of tiny frames', () => {
  it('is taken a bounded number of messages per turn of the event loop; all are logged; a request goes through', async () => {
    await floodThrough({
      label: 'WebSocket flood',
      peer: PEER,
      open: async (engine, port) =>
        sidOf(await engine.invoke('ws.open', { url: `ws://127.0.0.1:${port}/`, headers: [], protocols: [] })),
      total: FRAMES,
      underWayAt: 1,
      // One socket read of 64 KB holds 16,384 of these frames; the session takes TURN_FRAMES between two of its
      // turns, and the count's turns need not line up with the session's: at most two of its shares.
      mostInATurn: 2 * TURN_FRAMES,
      leastSends: 1,
      withinMs: 60_000,
    })
  }, 90_000)
})
