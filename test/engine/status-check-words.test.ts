import { describe, expect, it } from 'vitest'
import { runAssertions, type ResponseView } from '../../src/engine/runner/checks'

// A status assertion's verdict and words, each form, passing and failing (the reports print these words).
const view = (status: number): ResponseView =>
  ({ done: { status }, headers: [], body: '' }) as unknown as ResponseView

describe('status checks in words', () => {
  it('equals, one of, within, and the body is never read for them', () => {
    const list = [
      { kind: 'status' as const, equals: 200 },
      { kind: 'status' as const, oneOf: [200, 201] },
      { kind: 'status' as const, min: 200, max: 299 },
      { kind: 'status' as const },
    ]
    expect(runAssertions(list, view(200)).map((r) => [r.passed, r.message])).toEqual([
      [true, 'status 200 is 200'],
      [true, 'status 200 is one of 200, 201'],
      [true, 'status 200 is within 200–299'],
      [true, 'status 200 is within 0–999'],
    ])
    expect(runAssertions(list, view(503)).map((r) => [r.passed, r.message])).toEqual([
      [false, 'status 503 is not 200'],
      [false, 'status 503 is not one of 200, 201'],
      [false, 'status 503 is not within 200–299'],
      [true, 'status 503 is within 0–999'],
    ])
    const results = runAssertions(list, view(200))
    expect(results.map((r) => r.assertion)).toEqual(list)
  })
})
