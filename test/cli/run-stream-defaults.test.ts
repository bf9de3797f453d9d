import { describe, expect, it } from 'vitest'
import { stoppedAfterWords } from '../../src/engine/runner/stream-step'
import { DEFAULT_STOP } from '../../src/shared/run-spec'

/**
 * A run's stream step with a count or a match and no `stop.durationMs` waits DEFAULT_STOP's 10 s, so a CI run
 * ends when a stream falls silent; the failure says that the wait was the default and how to wait longer. The
 * words alone: a real step would hold the test for the whole 10 s.
 */
describe("a stream step's default wait", () => {
  it('is 10 s, and a cut at it says it was the default', () => {
    expect(DEFAULT_STOP.durationMs).toBe(10_000)
    expect(stoppedAfterWords(DEFAULT_STOP.durationMs, true)).toBe(
      'stopped after 10000 ms (the default wait of a stream step: set stop.durationMs to wait longer)',
    )
    // A wait the step chose is said as it is.
    expect(stoppedAfterWords(300, false)).toBe('stopped after 300 ms')
  })
})
