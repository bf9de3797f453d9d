import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPhase } from '../../../src/engine/scripts/script-host'
import type { EngineService } from '../../../src/engine/service'
import { defaultDynamicValues, DYNAMIC_NAMES, dynamicValue } from '../../../src/shared/template'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService, spec } from '../helpers'

/**
 * The dynamic names a send fills in (`{{$timestampMs}}`, `{{$uuid}}`, …) mean the same inside a script: what
 * `pm.variables.replaceIn` (and Bruno's `bru.interpolate`, Insomnia's `insomnia.variables.replaceIn`) gives has
 * the shape a send gives, through the real QuickJS sandbox.
 */

let stub: ScriptStub
let service: EngineService
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
})

async function resolvedInScript(code: string): Promise<Record<string, unknown>> {
  const out = await runPhase(
    { http: service.http, clock: service.clock, emit: () => {} },
    {
      key: `dynamic-${Math.random()}`,
      phase: 'pre',
      scripts: [{ origin: 'request', where: 'request "R"', code }],
      request: spec(`${stub.url}/things`),
      auth: { type: 'none' },
      scopes: { environment: {}, collection: {}, globals: {}, data: {}, local: {} },
      info: { requestName: 'R', requestId: 'r.yaml', iteration: 0, iterationCount: 1 },
    },
  )
  expect(out.output.failure).toBeUndefined()
  return out.output.changes.local?.set ?? {}
}

/** What a value of each name looks like, from what a send gives for it (shared/template.ts). */
function shapeOf(value: string): RegExp {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(value))
    return /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  if (/^\d{13}$/.test(value)) return /^\d{13}$/
  if (/^\d{10}$/.test(value)) return /^\d{10}$/
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value))
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
  if (/^\d{1,4}$/.test(value)) return /^\d{1,4}$/
  throw new Error(`no shape known for ${value}`)
}

// `$webhook` names the send's webhook inbox, which a script's phase has none of (docs/scripts.md).
const SCRIPT_NAMES = DYNAMIC_NAMES.filter((n) => n !== '$webhook')

describe('dynamic names in scripts', () => {
  it('replaceIn gives every dynamic name a value of the shape a send gives', async () => {
    const before = Date.now()
    const set = await resolvedInScript(
      SCRIPT_NAMES.map((n) => `pm.variables.set('${n}', pm.variables.replaceIn('{{${n}}}'))`).join('\n'),
    )
    const after = Date.now()
    for (const name of SCRIPT_NAMES) {
      const sent = dynamicValue(name, defaultDynamicValues) ?? ''
      expect({ name, value: set[name] }).toEqual({ name, value: expect.stringMatching(shapeOf(sent)) })
    }
    // Milliseconds, as a send gives them: within the phase's run, not seconds times 1000.
    const ms = Number(set['$timestampMs'])
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(after)
    expect(Math.floor(ms / 1000)).toBeLessThanOrEqual(Number(set['$timestamp']) + 1)
  })

  it("Bruno's bru.interpolate and Insomnia's replaceIn read them too", async () => {
    const set = await resolvedInScript(
      [
        "pm.variables.set('bru', bru.interpolate('{{$timestampMs}}/{{$uuid}}'))",
        "pm.variables.set('insomnia', insomnia.variables.replaceIn('{{$timestampMs}}/{{$uuid}}'))",
      ].join('\n'),
    )
    const shape = /^\d{13}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    expect(set['bru']).toMatch(shape)
    expect(set['insomnia']).toMatch(shape)
  })
})
