import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'

/**
 * `flightdeck socketio … --max 1` says why the session closed. Its `closed` line was empty: a Socket.IO
 * disconnect ends the attempt at once, before the session kernel had marked the close as the person's, so the
 * close went out with no words. The command's own reason comes on a line of its own, before.
 */

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, out, err }
}

let io: SocketIoFixture
beforeAll(async () => {
  io = await startSocketIoServer()
})
afterAll(async () => {
  await io.close()
})

describe('flightdeck socketio: the closed line', () => {
  it.each([[['--websocket']], [[]]])('%j --max 1 says it closed after 1 message', async (transport) => {
    const r = await cli('socketio', io.url, ...transport, '--max', '1')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const lines = r.out.trim().split('\n')
    expect(lines.filter((l) => l.includes(' ← '))).toHaveLength(1)
    expect(lines.at(-3)).toMatch(/^ +\d+\.\d{3}s \* closing after 1 message \(--max\)$/)
    expect(lines.at(-2)).toMatch(/^ +\d+\.\d{3}s \* closed: Closed by you \(io client disconnect\)$/)
    expect(lines.at(-1)).toMatch(/\* done$/)
  })

  it('--json carries the words on its stream-closed line', async () => {
    const r = await cli('socketio', io.url, '--websocket', '--max', '1', '--json')
    expect(r.code).toBe(0)
    const closed = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['type'] === 'stream-closed')
    expect(closed).toMatchObject({ by: 'client', reason: 'Closed by you (io client disconnect)' })
  })
})
