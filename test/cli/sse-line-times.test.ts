import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliChild } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * `flightdeck sse` starts each line for people with the time since the session's first event. A server that
 * sends one message and ends at once, read with --max 1: `* closing after 1 message (--max)` was stamped with
 * the time the command saw the message (a batch later), after the `closed` and `done` it printed before them.
 * Times now only grow down the output: the closing line carries the message's time. --duration's closing line
 * comes after every event that happened before it.
 */

let root: string
let server: Server
let url: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-sse-line-times-'))
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    if (req.url === '/one') res.end('data: one\n\n')
    else {
      // A message every 20 ms, until the client goes (at most 5 s).
      let n = 0
      const timer = setInterval(() => {
        res.write(`data: ${n++}\n\n`)
        if (n > 250) res.end()
      }, 20)
      res.on('close', () => clearInterval(timer))
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

/** Each stamped line's time in ms, in print order. */
function times(stdout: string): number[] {
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+\.\d{3})s /.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Math.round(Number(m[1]) * 1000))
}

function expectGrowing(list: number[]): void {
  for (let i = 1; i < list.length; i++) expect(list[i]).toBeGreaterThanOrEqual(list[i - 1] ?? 0)
}

describe('flightdeck sse line times', () => {
  it('never go back after `* closing after 1 message (--max)`', async () => {
    // Three runs: the batch that carries the message carries the end too.
    for (let run = 0; run < 3; run++) {
      const r = await runCliChild(['sse', `${url}/one`, '--max', '1', '--no-reconnect'], { root })
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/\* closing after 1 message \(--max\)\n/)
      const shown = times(r.stdout)
      expect(shown.length).toBeGreaterThanOrEqual(4)
      expectGrowing(shown)
    }
  })

  it('never go back after `* closing after 0.3 s (--duration)`', async () => {
    const r = await runCliChild(['sse', `${url}/many`, '--duration', '0.3'], { root })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/\* closing after 0\.3 s \(--duration\)\n/)
    expectGrowing(times(r.stdout))
  })
})
