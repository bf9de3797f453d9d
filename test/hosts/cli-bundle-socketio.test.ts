import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { runModuleScript, type ScriptRun } from './module-script'
import { copyBuiltCli, type PrivateCli } from './private-cli'

/**
 * The BUILT CLI (the CommonJS bundle `npm install` users run) opens a Socket.IO session. The tests around it run
 * the TypeScript source, which takes socket.io-client's ES module; the bundle takes its CommonJS build, whose
 * index exports only `io`, `Manager` and `Socket`: a transport class extending one it does not export built
 * fine, passed every source test, and threw "Class extends value undefined" at the first Socket.IO step of a
 * built `flightdeck run`. Runs a copy of the built CLI (test/hosts/private-cli.ts; npm test builds first) in a
 * temp folder, its external libraries resolved from the checkout's node_modules.
 */

let built: PrivateCli
let server: SocketIoFixture

beforeAll(async () => {
  built = copyBuiltCli('fd-cli-bundle-sio-')
  server = await startSocketIoServer()
})

afterAll(async () => {
  await server?.close()
  built?.remove()
})

function bundled(args: string[]): Promise<ScriptRun> {
  const script = `const m = await import(${JSON.stringify(join(built.cli, 'index.js'))}); process.exitCode = await m.runCli(process.argv.slice(1))`
  return runModuleScript(script, {
    args,
    env: { NODE_OPTIONS: '', FLIGHTDECK_CONFIG_DIR: join(built.work, 'config') },
    killAfterMs: 60_000,
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
