import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { call, grpcRig, PROTOS } from '../engine/grpc-helpers'
import { settle } from '../engine/stream-helpers'

/**
 * A gRPC target is host:port, and every other scheme is refused before any call (url-schemes.ts). But grpc-js
 * reads `name:rest` as a URI of its own when it has a resolver for `name`: `unix:50051` passed the host:port
 * pattern (host "unix", port 50051) and grpc-js connected to the Unix socket ./50051 in the working folder (a
 * shared collection's target could reach a local service's socket). Now such a target is refused in words.
 */

let dir: string
let startedIn: string
const sockets: Server[] = []
let connections = 0

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fd-attack-grpc-unix-'))
  startedIn = process.cwd()
  // Sockets named as the ports the targets below would give: ./50051, and ./443 for a target with no port.
  for (const name of ['50051', '443']) {
    const server = createServer((socket) => {
      connections++
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(join(dir, name), resolve))
    sockets.push(server)
  }
  process.chdir(dir)
})

afterAll(async () => {
  process.chdir(startedIn)
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  rmSync(dir, { recursive: true, force: true })
})

it('a target grpc-js would read as a Unix socket or an address of its own is refused, and no socket is reached', async () => {
  const rig = grpcRig()
  const said: string[] = []
  try {
    for (const target of ['unix:50051', 'grpc://UNIX:50051', 'unix', 'ipv4:50051', 'dns:50051']) {
      const spec = call(target, 'flightdeck.test.Echo/Say', [{ text: 'hi' }], {
        schema: PROTOS,
        deadlineMs: 5000,
      })
      const opened = await rig.grpc.open(spec, { base: dir })
      // A call that was made ends when its socket is closed on it (or at its deadline).
      if (opened.ok) await settle(rig.service, opened.value.sid)
      said.push(opened.ok ? 'opened' : opened.error.message)
    }
  } finally {
    rig.close()
  }
  expect(connections).toBe(0)
  for (const words of said)
    expect(words).toMatch(
      /would be read as a (unix|ipv4|dns): address by gRPC's library.*write the target as host:port/,
    )
})
