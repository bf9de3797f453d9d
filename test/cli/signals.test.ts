import { spawn } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FLIGHTDECK_BIN, runFlightdeckProcess } from '../fixtures/cli-process'

/**
 * Ctrl+C and SIGTERM, as real signals to a real `flightdeck` process: the command stops, prints what it had, and
 * exits as shells expect of a process a signal ended (130, 143), not 1 (a failure) or 0. `run`'s own cases are in
 * cli-run (SIGINT) and cli-run-reports-attack (SIGTERM).
 */

let root: string
let url: string
let server: ReturnType<typeof createServer>
/** Requests seen, by path: the signal goes once the command's request is at the server (its handler is set). */
const seen = new Map<string, number>()
const waiting = new Set<ServerResponse>()

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-cli-signals-'))
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? ''
    seen.set(path, (seen.get(path) ?? 0) + 1)
    waiting.add(res)
    // /events: an event stream that sends one event and then stays open; /hang: never answered.
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: one\n\n')
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const res of waiting) res.destroy()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

/** Runs `flightdeck <args>`, signalling it once its stdout so far passes `ready` (bounded: SIGKILL at 60 s). */
function flightdeckUntil(
  args: string[],
  ready: (stdout: string) => boolean,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLIGHTDECK_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: root,
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: join(root, 'config') },
    })
    let stdout = ''
    let stderr = ''
    let signalled = false
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
      if (!signalled && ready(stdout)) {
        signalled = true
        child.kill(signal)
      }
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code, got) => {
      clearTimeout(timer)
      resolve({ code, signal: got, stdout, stderr })
    })
  })
}

/** Signals the process once `ready()` holds, polled every 10 ms and bounded in time. */
function signalWhen(ready: () => boolean, signal: NodeJS.Signals) {
  return (kill: (s: NodeJS.Signals) => void): void => {
    const deadline = Date.now() + 30_000
    const poll = setInterval(() => {
      if (ready() || Date.now() > deadline) {
        clearInterval(poll)
        kill(signal)
      }
    }, 10)
  }
}

// Each case starts a process (tsx compiles the CLI first, ~1 s): generous bounds for a busy machine.
describe('flightdeck under Ctrl+C and SIGTERM', { timeout: 120_000 }, () => {
  it('send: SIGTERM cancels the request, prints its report, exit 143', async () => {
    const before = seen.get('/hang') ?? 0
    const r = await runFlightdeckProcess(['send', '--json', `${url}/hang`], {
      root,
      onStart: signalWhen(() => (seen.get('/hang') ?? 0) > before, 'SIGTERM'),
    })
    expect(r.signal).toBeNull()
    expect(r.stderr).toBe('flightdeck: cancelled: the request was cancelled\n')
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'cancelled' } })
    expect(r.code).toBe(143)
  })

  it('graphql: Ctrl+C during a query the server holds cancels it, says so, exit 130', async () => {
    const before = seen.get('/hang') ?? 0
    const r = await runFlightdeckProcess(['graphql', `${url}/hang`, '--query', '{ hello }'], {
      root,
      onStart: signalWhen(() => (seen.get('/hang') ?? 0) > before, 'SIGINT'),
    })
    expect(r.signal).toBeNull()
    expect(r.stderr).toBe('flightdeck: cancelled\n')
    expect(r.code).toBe(130)
  })

  it('sse: Ctrl+C closes the stream after what came, exit 130', async () => {
    // The event is printed once the command listens for the signal (it subscribes, then listens, then reads).
    const r = await flightdeckUntil(['sse', `${url}/events`], (stdout) => /one/.test(stdout), 'SIGINT')
    expect(r.signal).toBeNull()
    expect(r.stdout).toMatch(/closing on Ctrl\+C/)
    expect(r.code).toBe(130)
  })
})
