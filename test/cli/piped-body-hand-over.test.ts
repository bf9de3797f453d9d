import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onInterrupt, type StopSignal } from '../../src/cli/interrupt'
import { pipedBody } from '../../src/cli/piped-body'

/**
 * `send -d @fifo` and `sse -d @fifo` read the pipe, then send: between the two, Ctrl+C had no listener (the read's
 * was off, the send's not yet on), so the process died by the signal without a word and left the body's copy.
 * The command's one listener is now handed from the read to what follows it. The window holds no wait a test
 * can hold (it is CPU and local file work), so a signal from outside could hit it only by timing; here the
 * signal is given in-process exactly there: after the read has answered and before anything else runs.
 */

const LINUX_FIFO = existsSync('/usr/bin/mkfifo') || existsSync('/bin/mkfifo')
let root: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-piped-hand-over-'))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('the body read hands Ctrl+C on', () => {
  it.skipIf(!LINUX_FIFO)('a signal right after the read goes to the step after it', async () => {
    const fifo = join(root, 'body.fifo')
    execFileSync('mkfifo', [fifo])
    const got: StopSignal[] = []
    const words: string[] = []
    const interrupt = onInterrupt(() => words.push('before the read'))
    const baseline = process.listenerCount('SIGINT')
    try {
      const writer = new Promise<void>((resolve) => {
        // The writer opens once the read waits for it (a blocking open off this thread).
        setTimeout(() => {
          writeFileSync(fifo, '{"a":1}')
          resolve()
        }, 50)
      })
      const piped = await pipedBody(
        'send',
        { kind: 'file', path: fifo },
        (t) => words.push(t),
        interrupt,
        (signal) => got.push(signal),
      )
      await writer
      expect(typeof piped).toBe('object')
      // Still listening once the read is over: the signal is the next step's, not Node's default (death).
      expect(process.listenerCount('SIGINT')).toBe(baseline)
      process.emit('SIGINT')
      expect(got).toEqual(['SIGINT'])
      expect(interrupt.exitCode(0)).toBe(130)
      expect(words).toEqual([])
      if (piped !== null && typeof piped === 'object') await piped.remove()
    } finally {
      interrupt.off()
    }
  })
})
