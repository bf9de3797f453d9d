import { describe, expect, it } from 'vitest'
import type { ScriptPhaseReport } from '../../src/shared/scripts'
import { tallyResults } from '../../src/renderer/runner/runner-slice'

function post(tests: ScriptPhaseReport['tests'], failure?: ScriptPhaseReport['failure']): ScriptPhaseReport {
  return {
    phase: 'post',
    start: 0,
    end: 1,
    tests,
    console: [],
    droppedConsole: 0,
    sentRequests: [],
    ...(failure ? { failure } : {}),
  }
}

/** A step result as the engine's summary words it: its script tests and a stopped script among its assertions. */
function result(iteration: number, passed: boolean, scripts?: { post: ScriptPhaseReport }) {
  const assertions = [
    ...(scripts?.post.tests ?? []).map((t) => ({
      name: t.name,
      passed: t.passed,
      message: t.error ?? 'passed',
    })),
    ...(scripts?.post.failure
      ? [{ name: 'test script', passed: false, message: scripts.post.failure.message }]
      : []),
  ]
  const r = {
    stepId: 's1',
    name: 'Get item',
    path: 'get-item.yaml',
    iteration,
    attempts: 1,
    status: 200,
    timeMs: 5,
    passed,
    assertions,
    ...(scripts ? { scripts } : {}),
  }
  return r
}

describe("the runner's table: script tests per request", () => {
  it('counts script tests over iterations and lists the failed ones and a stopped script', () => {
    const ok = post([{ name: 'status is 200', passed: true }])
    const bad = post([
      { name: 'status is 200', passed: true },
      { name: 'has id', passed: false, error: 'expected undefined to exist' },
    ])
    const stopped = post([], { kind: 'timeout', message: 'CPU time over 2 s: the script was stopped' })
    const list = tallyResults(
      [],
      [result(0, true, { post: ok }), result(1, false, { post: bad }), result(2, false, { post: stopped })],
    )
    expect(list).toHaveLength(1)
    expect(list[0]?.scriptTests).toEqual({ passed: 2, failed: 1 })
    expect(list[0]?.messages).toEqual([
      '✗ has id: expected undefined to exist',
      'Post-response script: CPU time over 2 s: the script was stopped',
    ])
  })

  it('leaves requests without script tests without a tally', () => {
    expect(tallyResults([], [result(0, true)])[0]?.scriptTests).toBeUndefined()
  })
})
