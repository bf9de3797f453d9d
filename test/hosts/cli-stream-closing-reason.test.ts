import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { parseStreamArgs } from '../../src/cli/stream-args'
import { startSseServer, type SseFixture } from '../fixtures/sse-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'

/**
 * `flightdeck ws` and `flightdeck sse` say why the command closed the session, on a line of its own before the
 * close shows (`* closing after 2 messages (--max)`, `after 0.5 s (--duration)`), as `socketio` and `mqtt` do.
 * They used to close without a word of their own: only `* closed: Closed by you …` came, which does not say
 * whether a limit, a time or Ctrl+C made it.
 */

async function cli(...argv: string[]): Promise<{ code: number; lines: string[]; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, lines: out.trim().split('\n'), err }
}

/** The lines with the time they start with taken off. */
const untimed = (lines: string[]): string[] => lines.map((l) => l.replace(/^ +\d+\.\d{3}s /, ''))

let sse: SseFixture
let ws: WsFixture
beforeAll(async () => {
  sse = await startSseServer()
  ws = await startWsServer()
})
afterAll(async () => {
  await sse.close()
  await ws.close()
})

describe('flightdeck ws / sse: why the command closed', () => {
  it('ws --max 2: the closing line comes after the second message, before the close frames', async () => {
    const r = await cli('ws', `${ws.url}/echo`, '-s', 'one', '-s', 'two', '--max', '2')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const lines = untimed(r.lines)
    const closing = lines.indexOf('* closing after 2 messages (--max)')
    expect(closing).toBeGreaterThan(lines.indexOf('← text (3 B) two'))
    expect(lines.slice(closing + 1)).toEqual([
      '→ close 1000 (0 B) ',
      '← close 1000 (0 B) ',
      '* closed: Closed by you with 1000 normal closure',
      '* done',
    ])
    // Each line for people starts with its time, the closing line too.
    expect(r.lines[closing]).toMatch(/^ +\d+\.\d{3}s \* closing /)
    // The first command of the file loads the engine: seconds on a loaded machine.
  }, 60_000)

  it('sse -d @file: a {{variable}} in the file is refused before anything is sent, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-cli-sse-body-'))
    try {
      writeFileSync(join(dir, 'body.json'), '{"room": "{{room}}"}')
      const before = sse.requests.length
      const r = await cli('sse', `${sse.url}/events`, '-d', `@${join(dir, 'body.json')}`)
      expect(r.err).toMatch(
        /^flightdeck: \{\{room\}\} on line 1 of .*body\.json \(the body, -d @file\) is a variable/,
      )
      expect(r.code).toBe(2)
      expect(sse.requests.length).toBe(before)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('sse: a stream that keeps ending is closed after --max-reconnects reconnects, a failure that says so (it reconnected for ever, then exited 0)', async () => {
    // One event a connection, then the end, with a 1 ms reconnection time: the default limit (100) is reached
    // in well under a second; a smaller one keeps the case short.
    const before = sse.requests.filter((q) => q.path.startsWith('/events')).length
    const r = await cli('sse', `${sse.url}/events?n=1&retry=1&close=1`, '--max-reconnects', '3')
    // Giving up is a failure, as curl's last --retry is: exit 1, and no `* done` to read as a success.
    expect(r.code).toBe(1)
    expect(untimed(r.lines.filter((l) => l.includes('* closing')))).toEqual([
      '* closing after 3 reconnects (--max-reconnects)',
    ])
    expect(untimed(r.lines).at(-1)).toBe('* error: closed after 3 reconnects: the stream kept ending')
    expect(r.lines.some((l) => l.endsWith('* done'))).toBe(false)
    expect(r.err).toMatch(
      /^flightdeck: closed after 3 reconnects: the stream kept ending \(--max-reconnects N raises the limit, 0 removes it; --no-reconnect ends at the first end\)\n$/,
    )
    // The first connection and 3 reconnects; the command reads events in batches, so a reconnect or two already
    // under way when it sees the limit may still reach the server (a few, where it made hundreds a second).
    const made = sse.requests.filter((q) => q.path.startsWith('/events')).length - before
    expect(made).toBeGreaterThanOrEqual(4)
    expect(made).toBeLessThan(20)
    // The default is a limit too.
    expect(parseStreamArgs(['sse', sse.url])).toMatchObject({ maxReconnects: 100 })
  })

  it('sse: a server that accepts and ends the stream without a message, past --retries, is a failure, exit 1', async () => {
    // Each connection gets only `retry: 1` and the end: every reconnect brings nothing, so each counts as failed.
    const r = await cli('sse', `${sse.url}/events?n=0&retry=1&close=1`, '--retries', '2')
    expect(r.code).toBe(1)
    const words =
      'Gave up after 3 connection attempts in a row that brought no message: The server ended the stream'
    expect(untimed(r.lines).at(-1)).toBe(`* error: ${words}`)
    expect(r.lines.some((l) => l.endsWith('* done'))).toBe(false)
    expect(r.err).toBe(`flightdeck: reconnect_limit: ${words}\n`)
  })

  it('ws --json at the reconnect limit ends with an error object, not done, exit 1', async () => {
    // A WebSocket that the server closes at once: its reconnect waits the engine's 1 s backoff (~1.1 s in all).
    const r = await cli('ws', `${ws.url}/close`, '--reconnect', '--max-reconnects', '1', '--json')
    expect(r.code).toBe(1)
    expect(r.err).toBe(
      'flightdeck: closed after 1 reconnect: the stream kept ending (--max-reconnects N raises the limit, 0 removes it; without --reconnect the session ends at the first drop)\n',
    )
    const objects = r.lines.map((l) => JSON.parse(l) as { type: string })
    expect(objects.at(-1)).toEqual({
      type: 'error',
      t: expect.any(Number) as number,
      code: 'reconnect_limit',
      message: 'closed after 1 reconnect: the stream kept ending (--max-reconnects)',
    })
    expect(objects.some((o) => o.type === 'done')).toBe(false)
  })

  it('sse --max 1 says "after 1 message"', async () => {
    const r = await cli('sse', `${sse.url}/events?n=1000&every=20`, '--max', '1')
    expect(r.code).toBe(0)
    const lines = untimed(r.lines)
    expect(lines.filter((l) => l.startsWith('← '))).toHaveLength(1)
    expect(lines.slice(-3)).toEqual([
      '* closing after 1 message (--max)',
      expect.stringMatching(/^\* closed: Closed by you/),
      expect.stringMatching(/^\* (done|cancelled)$/),
    ])
  })

  it('sse --duration 0.5 says "after 0.5 s (--duration)"', async () => {
    const r = await cli('sse', `${sse.url}/events?n=100000&every=50`, '--duration', '0.5')
    expect(r.code).toBe(0)
    const lines = untimed(r.lines)
    const closing = lines.indexOf('* closing after 0.5 s (--duration)')
    expect(closing).toBeGreaterThan(0)
    expect(lines.slice(closing + 1).filter((l) => l.startsWith('* '))).toEqual([
      expect.stringMatching(/^\* closed: Closed by you/),
      expect.stringMatching(/^\* (done|cancelled)$/),
    ])
  })

  it('--json has no closing line: its stream-closed object carries the words', async () => {
    const r = await cli('ws', `${ws.url}/echo`, '-s', 'one', '--max', '1', '--json')
    expect(r.code).toBe(0)
    expect(r.lines.every((l) => l.startsWith('{'))).toBe(true)
    expect(r.lines.map((l) => JSON.parse(l) as { type: string; reason?: string })).toContainEqual(
      expect.objectContaining({ type: 'stream-closed', reason: 'Closed by you with 1000 normal closure' }),
    )
  })
})
