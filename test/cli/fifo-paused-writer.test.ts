import { execFileSync } from 'node:child_process'
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  rmSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { runCliChild } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * A FIFO whose writer opened it and then paused: the first Ctrl+C ends the command at once, in words, exit 130,
 * nothing sent. A plain file read of the FIFO waited in a pool thread until the writer wrote or closed, and the
 * process could not exit before it (graphql --query, a unary grpc call); a client stream's look at its first
 * character waited on as well. The writer here is this test, holding the FIFO open (read-write, so its open
 * does not wait) and writing nothing.
 */

const LINUX_PROC = existsSync('/proc/self/fd')
let root: string
let server: GrpcTestServer

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-fifo-paused-'))
  server = await startGrpcServer()
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

/** Whether process `pid` holds `path` open. */
function holdsOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path
      } catch {
        return false
      }
    })
  } catch {
    return false
  }
}

describe.skipIf(!LINUX_PROC)('a FIFO whose writer opened it and paused', () => {
  it.each([
    [
      'graphql --query @fifo',
      (fifo: string) => ['graphql', 'http://127.0.0.1:9/graphql', '--query', `@${fifo}`],
      (fifo: string) => `flightdeck: stopped on Ctrl+C while reading --query @${fifo}: nothing was sent\n`,
    ],
    [
      'grpc -d @fifo, a unary call',
      (fifo: string) => ['grpc', server.target, 'flightdeck.test.Echo/Say', '--plaintext', '-d', `@${fifo}`],
      (fifo: string) => `flightdeck: stopped on Ctrl+C while reading ${fifo} (-d @): the call was not made\n`,
    ],
    [
      'grpc -d @fifo, a bidi call',
      (fifo: string) => ['grpc', server.target, 'flightdeck.test.Echo/Chat', '--plaintext', '-d', `@${fifo}`],
      (fifo: string) => `flightdeck: stopped on Ctrl+C while reading ${fifo} (-d @): the call was not made\n`,
    ],
    [
      'send -d @fifo',
      (fifo: string) => ['send', '-d', `@${fifo}`, 'http://127.0.0.1:9/'],
      (fifo: string) => `flightdeck: stopped on Ctrl+C while reading ${fifo} (-d @): nothing was sent\n`,
    ],
  ] as const)('%s: the first Ctrl+C ends it in words, exit 130', async (name, args, words) => {
    const fifo = join(root, `${name.replace(/\W+/g, '-')}.fifo`)
    execFileSync('mkfifo', [fifo])
    const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK)
    const before = server.calls.length
    try {
      // Ctrl+C once the command holds the FIFO open, and a moment more.
      const r = await runCliChild(args(fifo), {
        root,
        signal: 'SIGINT',
        whenReady: (pid) => holdsOpen(pid, fifo),
        delayMs: 300,
      })
      expect(r.signal).toBeNull()
      expect(r.code).toBe(130)
      expect(r.stderr).toBe(words(fifo))
      expect(r.afterSignalMs).toBeLessThan(3_000)
      expect(server.calls.slice(before).filter((c) => c.path.startsWith('/flightdeck.test'))).toEqual([])
    } finally {
      closeSync(writer)
    }
  })
})
