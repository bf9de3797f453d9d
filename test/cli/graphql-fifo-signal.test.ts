import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'

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

/** Whether a thread of process `pid` waits for a FIFO's other end. */
function waitsOnFifo(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some(
      (t) => readFileSync(`/proc/${pid}/task/${t}/wchan`, 'utf8') === 'wait_for_partner',
    )
  } catch {
    return false
  }
}

describe('flightdeck graphql --query @fifo with no writer', () => {
  it.skipIf(!LINUX_PROC)(
    'Ctrl+C ends the wait in words, exit 130, nothing sent',
    async () => {
      const fifo = join(root, 'q.fifo')
      execFileSync('mkfifo', [fifo])
      // Port 9 on loopback: nothing is sent anyway.
      const child = spawn(
        process.execPath,
        [FLIGHTDECK_BIN, 'graphql', 'http://127.0.0.1:9/graphql', '--query', `@${fifo}`],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          cwd: root,
          env: { ...process.env, FLIGHTDECK_CONFIG_DIR: join(root, 'config') },
        },
      )
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
      let signalledAt = 0
      const started = Date.now()
      const poll = setInterval(() => {
        if (signalledAt === 0 && (waitsOnFifo(child.pid ?? 0) || Date.now() - started > 30_000)) {
          signalledAt = Date.now()
          child.kill('SIGINT')
        }
      }, 50)
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('close', (c, s) => resolve([c, s])),
      )
      clearInterval(poll)
      clearTimeout(killer)
      expect(signal).toBeNull()
      expect(code).toBe(130)
      expect(stderr).toMatch(
        /^flightdeck: stopped on Ctrl\+C while reading --query @.*q\.fifo: nothing was sent\n$/,
      )
      expect(Date.now() - signalledAt).toBeLessThan(3_000)
    },
    70_000,
  )
})
