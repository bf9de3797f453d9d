import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RUN_TIMEOUT_MS, runPeer, type PeerRun, type PeerTool } from '../../bench/runner-peers'
import { withinCpu } from '../helpers/cpu-bound'

/**
 * The runner bench's peer: autocannon calls back only at its next once-a-second sampling tick, so a run timed
 * to its callback reads whole seconds. The bench must time it to its last response, which the server sees.
 *
 * Checked by order, not by duration (a loaded machine stretches every step of the child alike): the child reads
 * the machine's monotonic clock, as the server here does, so its run's start and end are set beside three
 * things the server saw. The start comes before the first request arrives; the end comes after the last
 * response was on its way, and before the child's last connection closed (each tool closes its connections only after
 * its last response: autocannon a client's as soon as it has all its responses, long before its tick; the
 * undici loops once every one has come).
 */

/** Milliseconds on the monotonic clock every process of the machine shares (bench/peer-run.mjs reads it too). */
const now = (): number => Number(process.hrtime.bigint()) / 1e6

const N = 400
const CONNECTIONS = 10
/**
 * A case's wall ceiling: past runPeer's own (it kills a run after RUN_TIMEOUT_MS), so a hung run says so. Only a
 * hang reaches it: at load 32 a correct run (a node child's start, autocannon's load, 400 requests) took over 20 s.
 */
const CASE_TIMEOUT_MS = RUN_TIMEOUT_MS + 30_000

describe("the runner bench's peers are timed to their last response", () => {
  let server: Server
  let url = ''
  let served = 0
  let firstAt = 0
  let lastAt = 0
  let open = 0
  let lastClosedAt = 0
  let allClosed: (() => void) | null = null

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume()
      if (served === 0) firstAt = now()
      served++
      // Before the response goes: once it has, the child may read it before this process runs again.
      lastAt = now()
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' })
      res.end('{"ok":true}')
    })
    server.keepAliveTimeout = 60_000
    server.on('connection', (socket) => {
      open++
      socket.on('close', () => {
        lastClosedAt = now()
        if (--open === 0) allClosed?.()
      })
    })
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hit`
  })
  afterAll(() => new Promise<void>((res) => server.close(() => res())))

  /** One run in its own process, once the server has seen every connection of it close. */
  async function run(tool: PeerTool): Promise<PeerRun> {
    served = 0
    const result = await runPeer(tool, url, N, CONNECTIONS)
    // The child has exited, so its sockets are closed; the server may not have read that yet.
    if (open > 0) {
      const closed = new Promise<void>((res) => (allClosed = res))
      await withinCpu(`the server seeing ${tool}'s connections close`, closed)
      allClosed = null
    }
    return result
  }

  /** What every tool's run must show: every request served and counted, its time spanning exactly the server's. */
  function expectTimedToLastResponse(r: PeerRun): void {
    expect(served).toBe(N)
    expect(r.responses).toBe(N)
    expect(r.ok).toBe(N)
    expect(r.errors).toBe(0)
    expect(r.ms).toBeCloseTo(r.endAt - r.startAt, 6)
    expect(r.startAt).toBeLessThanOrEqual(firstAt)
    expect(r.endAt).toBeGreaterThanOrEqual(lastAt)
    expect(r.endAt).toBeLessThanOrEqual(lastClosedAt)
  }

  it(
    'autocannon: timed to its last response, not to its next whole-second tick',
    async () => {
      const r = await run('autocannon')
      expectTimedToLastResponse(r)
      // The callback waits for the tick; the measured run ends at the last response, before it.
      expect(r.ms).toBeLessThan(r.callbackMs)
    },
    CASE_TIMEOUT_MS,
  )
  it(
    'bare undici: every response read and counted, timed like the others',
    async () => {
      expectTimedToLastResponse(await run('undici'))
    },
    CASE_TIMEOUT_MS,
  )
  it(
    'bare undici dispatch(): every response counted by its status, timed like the others',
    async () => {
      expectTimedToLastResponse(await run('undici-dispatch'))
    },
    CASE_TIMEOUT_MS,
  )
})
