import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'

/**
 * The BUILT CLI (the CommonJS bundle `npm install` users run) opens a Socket.IO session. The tests around it run
 * the TypeScript source, which takes socket.io-client's ES module; the bundle takes its CommonJS build, whose
 * index exports only `io`, `Manager` and `Socket`: a transport class extending one it does not export built
 * fine, passed every source test, and threw "Class extends value undefined" at the first Socket.IO step of a
 * built `flightdeck run`. Builds a private CLI (scripts/build-node.mjs --cli-only) in a temp folder, never out/,
 * its external libraries resolved from the checkout's node_modules.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const BUILD_TIMEOUT_MS = 240_000

let work: string
let cli: string
let server: SocketIoFixture

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fd-cli-bundle-sio-'))
  cli = join(work, 'cli')
  // The bundle keeps its libraries external, as an installed package does: they resolve from node_modules.
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir')
  execFileSync(process.execPath, ['scripts/build-node.mjs', '--cli-only', cli], {
    cwd: root,
    stdio: 'ignore',
    timeout: BUILD_TIMEOUT_MS,
  })
  server = await startSocketIoServer()
}, BUILD_TIMEOUT_MS + 10_000)

afterAll(async () => {
  await server?.close()
  rmSync(work, { recursive: true, force: true })
})

function bundled(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const script = `const m = await import(${JSON.stringify(join(cli, 'index.js'))}); process.exitCode = await m.runCli(process.argv.slice(1))`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '', FLIGHTDECK_CONFIG_DIR: join(work, 'config') },
    })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out, err })
    })
  })
}

describe('the built CLI', () => {
  it('opens a Socket.IO session over long-polling, emits and gets the echo', async () => {
    const r = await bundled(['socketio', server.url, '--emit', 'echo {"n":7}', '--max', '2', '--json'])
    expect(r.err).not.toContain('Class extends value')
    expect(r.code, `${r.out}\n${r.err}`).toBe(0)
    const received = r.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type?: string; event?: string; dir?: string; args?: unknown })
      .filter((e) => e.type === 'event' && e.dir === 'in')
    expect(received.map((e) => [e.event, e.args])).toEqual([
      ['welcome', [{ token: null, room: null }]],
      ['echo', [{ n: 7 }]],
    ])
  }, 90_000)
})
