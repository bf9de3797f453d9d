import { getQuickJS, type QuickJSContext } from 'quickjs-emscripten'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxBundle } from '../../../src/engine/scripts/sandbox-bundle'
import { DEFAULT_SCRIPT_LIMITS } from '../../../src/engine/scripts/script-types'

/**
 * What a script phase costs inside the sandbox, the part of a scripted run that every request pays: the phase
 * of the bench's test script (a `pm.test` on the status and a `pm.environment.set` from the JSON body) against a
 * fixed yardstick measured in the same interpreter at the same moment (parsing the phase's own state), so a busy
 * machine slows both alike. The prelude used to build the whole script API (about a hundred closures) for every
 * phase, nine times the yardstick; it builds only what a script reaches (about three).
 */

const SCRIPT = [
  'pm.test("status is 200", function () {',
  '    pm.response.to.have.status(200);',
  '});',
  'pm.environment.set("lastNote", pm.response.json().note);',
].join('\n')

const BODY = JSON.stringify({ ok: true, items: [1, 2, 3], note: 'flightdeck runner bench' })

function state(): string {
  const vars = { baseUrl: 'http://127.0.0.1:1' }
  return JSON.stringify({
    phase: 'post',
    scripts: [{ origin: 'request', where: 'request "Item 1"', code: SCRIPT }],
    request: {
      method: 'GET',
      url: 'http://127.0.0.1:1/items/1',
      headers: [],
      body: { mode: 'none' },
      auth: { type: 'none' },
    },
    response: {
      code: 200,
      status: 'OK',
      headers: [{ key: 'Content-Type', value: 'application/json' }],
      body: BODY,
      bodyCut: false,
      responseTime: 3,
      responseSize: BODY.length,
    },
    scopes: { environment: vars, collection: {}, globals: {}, data: {}, local: {} },
    info: { requestName: 'Item 1', requestId: 'item-1.yaml', iteration: 0, iterationCount: 1 },
    limits: DEFAULT_SCRIPT_LIMITS,
  })
}

let ctx: QuickJSContext
let dispose: () => void

beforeAll(async () => {
  const [quickjs, bundle] = await Promise.all([getQuickJS(), sandboxBundle()])
  const rt = quickjs.newRuntime()
  rt.setMemoryLimit(64 * 1024 * 1024)
  ctx = rt.newContext()
  for (const name of ['__host_lib', '__host_lib_loaded', '__host_timer', '__host_clear', '__host_send']) {
    const h = ctx.newFunction(name, () => undefined)
    ctx.setProp(ctx.global, name, h)
    h.dispose()
  }
  ctx.unwrapResult(ctx.evalCode(bundle.prelude, 'prelude.js')).dispose()
  const s = ctx.newString(state())
  ctx.setProp(ctx.global, 'STATE', s)
  s.dispose()
  dispose = () => {
    ctx.dispose()
    rt.dispose()
  }
})
afterAll(() => dispose())

/** CPU microseconds of `code` run in the sandbox's context (one call, no crossing per phase). */
function cpu(code: string): number {
  const start = process.cpuUsage()
  ctx.unwrapResult(ctx.evalCode(code)).dispose()
  const used = process.cpuUsage(start)
  return used.user + used.system
}

describe('a script phase in the sandbox', () => {
  it('reports what the script did', () => {
    const out = ctx.dump(ctx.unwrapResult(ctx.evalCode('__fd.begin(1, STATE); __fd.end(1)'))) as string
    const report = JSON.parse(out) as { tests: unknown[]; changes: unknown; error: unknown }
    expect(report.tests).toMatchObject([{ name: 'status is 200', passed: true }])
    expect(report.changes).toEqual({
      environment: { set: { lastNote: 'flightdeck runner bench' }, unset: [] },
    })
    expect(report.error).toBeNull()
  })

  it('costs at most five times parsing its own state', () => {
    const n = 300
    const phases = `for (var i = 10; i < ${10 + n}; i++) { __fd.begin(i, STATE); __fd.end(i) }`
    const yardstick = `for (var i = 0; i < ${n}; i++) JSON.parse(STATE)`
    cpu(phases)
    cpu(yardstick)
    // The fastest of several alternating rounds of each: a round slowed by the machine's load does not count.
    let phase = Number.POSITIVE_INFINITY
    let parse = Number.POSITIVE_INFINITY
    for (let round = 0; round < 7; round++) {
      phase = Math.min(phase, cpu(phases))
      parse = Math.min(parse, cpu(yardstick))
    }
    expect(phase / parse).toBeLessThan(5)
  })
})
