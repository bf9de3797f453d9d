import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { runCliChild, waitsOnFifo } from './cli-child'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * `flightdeck grpc -d @fifo` with no writer waits for one, as curl does: Ctrl+C and SIGTERM end the wait at once,
 * in words, with the codes shells give a signal (130, 143), and the call is not made. The process was ended by
 * the signal itself, silently (its handlers were set only once the call was made). The signal goes once a thread
 * of the process waits in the FIFO's open.
 */

let root: string
let server: GrpcTestServer

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-grpc-fifo-signal-'))
  server = await startGrpcServer()
})

afterAll(async () => {
  await server.close()
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck grpc -d @fifo with no writer', () => {
  it.each([
    ['SIGINT', 'Say', 130, 'on Ctrl\\+C'],
    ['SIGTERM', 'Chat', 143, 'on SIGTERM'],
  ] as const)(
    '%s ends the wait of a %s call in words, exit %d, nothing called',
    async (signal, method, code, words) => {
      const fifo = join(root, `${method}.fifo`)
      execFileSync('mkfifo', [fifo])
      const before = server.calls.length
      // Signalled once a thread of the process waits in the FIFO's open (after the schema and the method).
      const r = await runCliChild(
        ['grpc', server.target, `flightdeck.test.Echo/${method}`, '--plaintext', '-d', `@${fifo}`],
        { root, signal, whenReady: waitsOnFifo },
      )
      expect(r.signal).toBeNull()
      expect(r.code).toBe(code)
      expect(r.stderr).toMatch(
        new RegExp(
          `^flightdeck: stopped ${words} while reading .*${method}\\.fifo \\(-d @\\): the call was not made\\n$`,
        ),
      )
      expect(server.calls.slice(before).filter((c) => c.path.endsWith(`/${method}`))).toHaveLength(0)
      // Promptly: the wait ends with the signal, not with a forced exit or a writer.
      expect(r.afterSignalMs).toBeLessThan(3_000)
      server.calls.length = 0
    },
  )
})
