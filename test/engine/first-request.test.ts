import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { childScriptArgs } from '../helpers/child-script'

/**
 * The first request after start-up, in a fresh process (undici's parser is compiled once per process, so only a
 * process of its own shows it): between its TCP connection being up and its first header byte, it used to
 * stall while undici compiled its HTTP parser, which its timings counted as queued. The engine now warms the
 * parser at start-up, so that gap is bookkeeping, well under a couple of milliseconds.
 */

const run = promisify(execFile)
const probe = fileURLToPath(new URL('./first-request-probe.ts', import.meta.url))

let fixture: Fixture
beforeAll(async () => {
  fixture = await startHttpServer()
})
afterAll(async () => {
  await fixture.close()
})

describe('the first request after start-up', () => {
  it('does not wait for lazy start-up work between connecting and sending', { timeout: 60_000 }, async () => {
    const stalls: number[] = []
    // Two fresh processes; the smaller stall counts (a busy machine can delay either by a scheduling slice).
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(process.execPath, [...childScriptArgs(probe), `${fixture.url}/hello`], {
        timeout: 25_000,
      })
      const line = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { stallMs: number | null }
      expect(line.stallMs).not.toBeNull()
      stalls.push(line.stallMs ?? Infinity)
    }
    expect(Math.min(...stalls), `stalls ${stalls.join(', ')} ms`).toBeLessThan(2)
  })
})
