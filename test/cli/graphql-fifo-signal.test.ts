import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'
import { runCliChild, waitsOnFifo } from './cli-child'

guardOnlyAgainstHangs()

/**
 * `flightdeck graphql --query @fifo` with no writer waits for one, as curl does: Ctrl+C ends the wait at once, in
 * words, exit 130, nothing sent. The process was ended by the signal itself, without a word. The signal goes once
 * a thread of the process waits in the FIFO's open (Linux names that wait `wait_for_partner`).
 */

const LINUX_PROC = existsSync('/proc/self/task')
let root: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-graphql-fifo-signal-'))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck graphql --query @fifo with no writer', () => {
  it.skipIf(!LINUX_PROC)('Ctrl+C ends the wait in words, exit 130, nothing sent', async () => {
    const fifo = join(root, 'q.fifo')
    execFileSync('mkfifo', [fifo])
    // Port 9 on loopback: nothing is sent anyway.
    const r = await runCliChild(['graphql', 'http://127.0.0.1:9/graphql', '--query', `@${fifo}`], {
      root,
      signal: 'SIGINT',
      whenReady: waitsOnFifo,
    })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(130)
    expect(r.stderr).toMatch(
      /^flightdeck: stopped on Ctrl\+C while reading --query @.*q\.fifo: nothing was sent\n$/,
    )
    expect(r.afterSignalMs).toBeLessThan(3_000)
  })
})
