import { afterAll, describe, expect, it } from 'vitest'
import { runSteps } from '../../src/engine/runner/runner'
import type { Assertion } from '../../src/shared/run-spec'
import { runPhase, type PhaseInput } from '../../src/engine/scripts/script-host'
import { makeService, spec } from '../engine/helpers'

/**
 * Text with `{{` and then a long run of spaces, never closed: a shared collection's URL, or a body a script
 * fills. The pattern that found `{{name}}` let spaces match before the name, inside it and after it, and
 * backtracked cubically on such a text: 500 / 1,000 / 2,000 spaces took 0.8 / 2.1 / 11.8 s, 5,000 took 149 s.
 * On the engine's thread (a script that reads cookies has the request's URL filled there) that froze the app; in
 * the sandbox (replaceIn) the script was stopped for CPU time it never meant to spend. Now the name is trimmed
 * after a linear match, and such text is left as it is.
 */

const SPACES = 3_000
const unclosed = `{{${' '.repeat(SPACES)}x`

const service = makeService()
afterAll(async () => {
  await service.dispose()
})

function phase(code: string, extra: Partial<PhaseInput> = {}) {
  return runPhase(
    { http: service.http, clock: service.clock, emit: () => {} },
    {
      key: `braces-${Math.random()}`,
      phase: 'pre',
      scripts: [{ origin: 'request', where: 'request "R"', code }],
      request: spec('http://127.0.0.1:9/'),
      auth: { type: 'none' },
      scopes: { environment: {}, collection: { name: 'Ada' }, globals: {}, data: {}, local: {} },
      info: { requestName: 'R', requestId: 'r.yaml', iteration: 0, iterationCount: 1 },
      ...extra,
    },
  )
}

// Before: the first held the thread ~45 s (so it fails on its 10 s bound), the second stopped at the CPU limit.
describe('an unclosed {{ followed by thousands of spaces', () => {
  it("a script reading cookies: the request's URL is filled on the engine's thread without holding it", async () => {
    const r = await phase(`pm.test('jar', () => pm.expect(pm.cookies.count()).to.equal(0))`, {
      request: spec(`http://127.0.0.1:9/?q=${unclosed}&who={{ name }}`),
    })
    expect(r.report.failure).toBeUndefined()
    expect(r.report.tests).toEqual([{ name: 'jar', passed: true }])
  }, 10_000)

  it('replaceIn in the sandbox leaves it as it is and still fills the names around it', async () => {
    const r = await phase(
      `pm.variables.set('out', pm.variables.replaceIn(${JSON.stringify(`${unclosed} {{ name }} {{}} {{ }}`)}))`,
    )
    expect(r.report.failure).toBeUndefined()
    expect(r.output.changes.local?.set?.['out']).toBe(`${unclosed} Ada {{}} {{ }}`)
  }, 10_000)
})

// A pasted Mustache or Handlebars template as a body: 200,000 distinct {{names}}, none a variable (2.4 MB). Each
// was checked against the list of those already found (40,000 held the engine's thread 6.6 s; this many, minutes),
// then spread as arguments (over the call stack's size), and the refusal listed every one (megabytes of message).
describe('a body naming 200,000 unknown variables', () => {
  it('is refused at once, naming the first 20 and counting the rest', async () => {
    const text = Array.from({ length: 200_000 }, (_, i) => `{{v${i}}}`).join(' ')
    const r = await service.invoke('request.send', {
      request: spec('http://127.0.0.1:9/', {
        method: 'POST',
        body: { kind: 'text', text, contentType: 'text/plain' },
      }),
      auth: { type: 'none' },
    })
    const first = Array.from({ length: 20 }, (_, i) => `{{v${i}}}`).join(', ')
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'unknown_variable',
        message: `Unknown variables ${first} and 199,980 more (no collection or environment chosen)`,
        // The names the message names, no more: 200,000 of them would be megabytes.
        unknown: Array.from({ length: 20 }, (_, i) => `v${i}`),
      },
    })
  }, 10_000)
})

// A run step's assertions (a request file allows 1,000 of 64 KiB each) naming 120,000 unknown variables: each
// was checked against the list of those already found, ~38 s on the engine's thread (80,000: 17 s).
describe("a step's assertions naming 120,000 unknown variables", () => {
  it('fail the step at once, naming the first 20 and counting the rest, nothing sent', async () => {
    const assertions: Assertion[] = Array.from({ length: 20 }, (_, a) => ({
      kind: 'body-contains',
      text: Array.from({ length: 6_000 }, (_, i) => `{{v${a * 6_000 + i}}}`).join(' '),
    }))
    const report = await runSteps(
      service.http,
      [{ id: 's', name: 's', request: spec('http://127.0.0.1:9/'), assertions, extract: [] }],
      { concurrency: 1, iterations: 1 },
    )
    const first = Array.from({ length: 20 }, (_, i) => `{{v${i}}}`).join(', ')
    expect(report.results[0]?.error?.message).toBe(
      `Unknown variables ${first} and 119,980 more in the step's assertions`,
    )
    expect(report.results[0]?.sids).toEqual([])
    // The result keeps the names the message shows and how many more, not all 120,000 (a run keeps every result).
    expect(report.results[0]?.unknown).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`))
    expect(report.results[0]?.unknownLeftOut).toBe(119_980)
  }, 10_000)
})
