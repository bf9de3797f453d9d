import { describe, expect, it } from 'vitest'
import { forgetSandbox, runScriptPhase } from '../../../src/engine/scripts/sandbox'
import type { ScriptSource } from '../../../src/engine/scripts/script-types'
import { testPhaseInput as input } from '../../fixtures/scripts/test-phase-input'

/**
 * A sandbox is sent each script's code and the phase limits once, not in every phase's state: later phases name
 * the code by id. What a script sees and reports stays the same: past the prelude's list of codes (it starts
 * again) a phase still waiting on a timer runs the rest of its scripts, and a script that reaches its phase's
 * limits through the API's insides cannot change them for the phases after it.
 */

const noSend = (): Promise<{ error: string }> => Promise.resolve({ error: 'no network here' })

const own = (code: string): ScriptSource => ({ origin: 'request', where: 'request "R"', code })

describe('script code and limits sent once per sandbox', () => {
  it('a phase waiting on a timer runs its later scripts after 600 other scripts went through', async () => {
    const key = 'sources-test'
    try {
      const waiting = runScriptPhase(
        input(key, [
          own('setTimeout(function () { pm.test("first script, after its timer", function () {}) }, 5000)'),
          own('pm.test("second script", function () {})'),
        ]),
        noSend,
      )
      const others: string[] = []
      for (let i = 0; i < 600; i++) {
        const out = await runScriptPhase(input(key, [own(`pm.test("other ${i}", function () {})`)]), noSend)
        others.push(...out.tests.filter((t) => t.passed).map((t) => t.name))
      }
      expect(others).toHaveLength(600)
      expect(others[599]).toBe('other 599')
      const out = await waiting
      expect(out.failure).toBeUndefined()
      expect(out.tests.map((t) => t.name)).toEqual(['first script, after its timer', 'second script'])
    } finally {
      forgetSandbox(key)
    }
  }, 60_000)

  it('a script cannot raise or lower the limits of the phases after it', async () => {
    const key = 'limits-test'
    try {
      const meddling = await runScriptPhase(
        input(key, [
          own('try { pm.environment._p.limits.tests = 0 } catch (e) {} pm.test("one", function () {})'),
        ]),
        noSend,
      )
      expect(meddling.tests.map((t) => t.name)).toEqual(['one'])
      const next = await runScriptPhase(
        input(key, [own('pm.test("a", function () {}); pm.test("b", function () {})')]),
        noSend,
      )
      expect(next.tests.map((t) => t.name)).toEqual(['a', 'b'])
      expect(next.droppedTests).toBe(0)
    } finally {
      forgetSandbox(key)
    }
  })
})
