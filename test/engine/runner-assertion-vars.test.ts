import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { makeService, spec } from './helpers'

/**
 * Assertions name variables as the Tests tab offers them: a run compares the variable's value, never the
 * literal `{{name}}`, and a variable with no value fails the step by name instead of passing or comparing text.
 */

let fixture: Fixture
let service: EngineService
beforeAll(async () => {
  fixture = await startHttpServer()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await fixture.close()
})

const step = (id: string, url: string, extra: Partial<RunStep> = {}): RunStep => ({
  id,
  name: id,
  request: spec(url),
  assertions: [],
  extract: [],
  ...extra,
})

describe('assertions with variables', () => {
  it('compare the values of the run variables and of values extracted earlier', async () => {
    const report = await runSteps(
      service.http,
      [
        step('first', `${fixture.url}/json`, {
          extract: [{ name: 'second', from: 'json', path: '$.items[1]' }],
        }),
        step('echo', `${fixture.url}/echo?who={{user}}&item={{second}}`, {
          dependsOn: ['first'],
          assertions: [
            { kind: 'json', path: '$.url', equals: '/echo?who={{user}}&item={{second}}' },
            { kind: 'body-contains', text: 'who={{user}}' },
            { kind: 'header', name: '{{typeHeader}}', contains: '{{kind}}' },
          ],
        }),
        step('differs', `${fixture.url}/echo?who=bob`, {
          assertions: [{ kind: 'json', path: '$.url', equals: '/echo?who={{user}}' }],
        }),
      ],
      {
        concurrency: 2,
        iterations: 1,
        variables: new Map([
          ['user', 'ada'],
          ['typeHeader', 'content-type'],
          ['kind', 'json'],
        ]),
      },
    )
    const echo = report.results.find((r) => r.stepId === 'echo')
    expect(echo?.assertions.map((a) => [a.passed, a.message])).toEqual([
      [true, expect.any(String)],
      [true, expect.any(String)],
      [true, expect.any(String)],
    ])
    expect(echo?.passed).toBe(true)
    const differs = report.results.find((r) => r.stepId === 'differs')
    expect(differs?.passed).toBe(false)
    // The message shows the value compared with, not the template.
    expect(differs?.assertions[0]?.message).toContain('/echo?who=ada')
  })

  it('fail the step naming a variable that has no value, and send nothing', async () => {
    const report = await runSteps(
      service.http,
      [
        step('unknown', `${fixture.url}/json`, {
          assertions: [{ kind: 'body-contains', text: '{{missing}}' }],
        }),
      ],
      { concurrency: 1, iterations: 1 },
    )
    const r = report.results[0]
    expect(r?.passed).toBe(false)
    expect(r?.error?.message).toBe("Unknown variable {{missing}} in the step's assertions")
    expect(r?.sids).toEqual([])
  })
})
