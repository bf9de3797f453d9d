import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startGraphqlSseServer, type GraphqlSseFixture } from '../fixtures/graphql-sse-server'

let server: GraphqlFixture
let sse: GraphqlSseFixture

beforeAll(async () => {
  server = await startGraphqlServer()
  sse = await startGraphqlSseServer()
})
afterAll(async () => {
  await server.close()
  await sse.close()
})

async function flightdeck(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, out, err }
}

const lines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('flightdeck graphql: subscriptions whose results carry errors', () => {
  it('exit 1 when a result carried errors, each result printed with its errors, the count at the end', async () => {
    const r = await flightdeck('graphql', server.wsUrl, '-q', 'subscription { flaky(to: 4) }', '--json')
    expect(r.code).toBe(1)
    const out = lines(r.out)
    const next = out.filter((l) => l['type'] === 'next')
    expect(next).toHaveLength(4)
    expect(next[1]).toMatchObject({ data: { flaky: null }, errors: [{ message: 'Item 2 failed' }] })
    expect(out.at(-1)).toMatchObject({ type: 'complete', results: 4, withErrors: 2 })
    const plain = await flightdeck('graphql', server.wsUrl, '-q', 'subscription { flaky(to: 4) }')
    expect(plain.code).toBe(1)
    expect(plain.err).toContain('completed after 4 results (2 with GraphQL errors)')
  })

  it('exit 0 for a subscription whose results carried none', async () => {
    const r = await flightdeck('graphql', server.wsUrl, '-q', 'subscription { count(to: 3) }', '--json')
    expect(r.code).toBe(0)
    expect(lines(r.out).at(-1)).toMatchObject({ type: 'complete', results: 3 })
  })

  it('--transport sse-single prints each result unwrapped (not its {id, payload} envelope)', async () => {
    const r = await flightdeck(
      'graphql',
      sse.url,
      '-q',
      'subscription { count(to: 3) }',
      '--transport',
      'sse-single',
      '--json',
    )
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const next = lines(r.out).filter((l) => l['type'] === 'next')
    expect(next.map((l) => (l['data'] as { count: number }).count)).toEqual([1, 2, 3])
  })
})
