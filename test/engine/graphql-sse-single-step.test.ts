import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startGraphqlSseServer, type GraphqlSseFixture } from '../fixtures/graphql-sse-server'
import { collectionRunFolder, type CollectionRun, type CollectionRunFolder } from './collection-run-folder'

/**
 * `flightdeck run` runs a GraphQL subscription over SSE's single connection mode (`transport: sse-single`) as a
 * stream step against graphql-sse's own handler: the stream is reserved (PUT), opened (GET), the operation
 * POSTed onto it; its stop condition counts results, its checks read their `payload`, and the step's stop is
 * the operation's DELETE. It was refused ("does not run as a step yet").
 */

let server: GraphqlSseFixture
let yoga: GraphqlFixture
let folder: CollectionRunFolder

const step = (name: string, query: string, rest: string): string =>
  `name: ${name}\nkind: graphql\nurl: "{{base}}/graphql"\ngraphql:\n  query: "${query}"\n  transport: sse-single\n${rest}`

beforeAll(async () => {
  server = await startGraphqlSseServer()
  yoga = await startGraphqlServer()
  const base = server.url.replace(/\/graphql$/, '')
  folder = collectionRunFolder('fd-gql-single')
  const file = (rel: string, text: string): void => folder.write(rel, text)
  file(
    'collection.yaml',
    `flightdeck: 1\nname: Single\nvariables:\n  base: ${base}\n  host: ${base.replace(/^http:\/\//, '')}\n  yoga: ${yoga.url.replace(/\/graphql$/, '')}\n`,
  )
  file(
    'a/1-stop.yaml',
    step(
      'Stopped',
      'subscription { count(to: 100000, delayMs: 2) }',
      'stop:\n  count: 5\nassertions:\n  - { kind: message-count, min: 5 }\n  - { kind: body-contains, text: \'"count":3\' }\n',
    ),
  )
  file(
    'a/2-complete.yaml',
    step(
      'Completed',
      'subscription { count(to: 3) }',
      'assertions:\n  - { kind: status, equals: 202 }\n  - { kind: message-count, equals: 3 }\n  - { kind: json, path: $.data.count, equals: 3 }\n',
    ),
  )
  // A WebSocket URL for SSE's single connection mode (a step switched from transport-ws keeps its ws://).
  file(
    'd/1-scheme.yaml',
    step('Scheme', 'subscription { count(to: 3) }', '').replace('{{base}}', 'ws://{{host}}'),
  )
  file('c/1-yoga.yaml', step('Yoga', 'subscription { count(to: 3) }', '').replace('{{base}}', '{{yoga}}'))
  file(
    'b/1-wrong.yaml',
    step(
      'Wrong',
      'subscription { count(to: 3) }',
      'assertions:\n  - { kind: json, path: $.data.count, equals: 99 }\n',
    ),
  )
})

afterAll(async () => {
  await server.close()
  await yoga.close()
  folder?.remove()
})

const run = (path: string): Promise<CollectionRun> => folder.run(path)

describe('flightdeck run: a GraphQL subscription over SSE, single connection mode', () => {
  it('reserves, opens and subscribes; stops on count with a DELETE; checks read the results', async () => {
    const before = server.requests.length
    const r = await run('a')
    expect(r.stderr).not.toMatch(/flightdeck: /)
    const rows = r.report.results
      .map((x) => [x.path, x.passed, x.error?.message ?? null])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    expect(rows).toEqual([
      ['a/1-stop.yaml', true, null],
      ['a/2-complete.yaml', true, null],
    ])
    expect(r.code).toBe(0)
    // Each step reserved a stream of its own and POSTed its operation onto it; the stopped one was DELETEd.
    const seen = server.requests.slice(before)
    const times = (what: string): number => seen.filter((s) => s === what).length
    expect([times('PUT 201'), times('POST 202'), times('DELETE 200')]).toEqual([2, 2, 1])
    for (let i = 0; i < 100 && server.active() > 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(server.active()).toBe(0)
  })

  it('a failed check says what it saw', async () => {
    const r = await run('b')
    expect(r.code).toBe(1)
    const [res] = r.report.results
    expect(res?.passed).toBe(false)
    expect(JSON.stringify(res)).toContain('$.data.count is 3 in the last of 3 results, expected 99')
  })

  it('a ws:// URL is refused with the HTTP schemes SSE takes, before anything is sent', async () => {
    const before = server.requests.length
    const r = await run('d')
    expect(r.code).toBe(1)
    expect(r.report.results[0]?.error).toEqual({
      code: 'invalid_url',
      message:
        'GraphQL over SSE takes http:// or https:// URLs, not ws:// (e.g. http://localhost:4000/graphql/stream)',
    })
    expect(server.requests.length).toBe(before)
  })

  it('a server without single connection mode fails the step, saying so', async () => {
    const r = await run('c')
    expect(r.code).toBe(1)
    const [res] = r.report.results
    expect(res?.error?.message).toMatch(/does not serve GraphQL over SSE's single connection mode/)
  })
})
