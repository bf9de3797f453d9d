import { collectionRunFolder, type CollectionRun, type CollectionRunFolder } from './collection-run-folder'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'

/**
 * A GraphQL query step whose answer carries `errors` (HTTP 200, as GraphQL servers answer) fails in a run, as
 * `flightdeck graphql` exits 1 for it and as a subscription step with errors fails: a CI run never goes green on
 * a GraphQL error nobody checked. A step that checks `$.errors` itself decides. A request saved as a GET is sent
 * as a GET, with no warning (graphql-run-get.test.ts has its parameters).
 */
let server: GraphqlFixture
let folder: CollectionRunFolder

beforeAll(async () => {
  server = await startGraphqlServer()
  folder = collectionRunFolder('fd-gql-query-errors')
  const file = folder.write
  file('collection.yaml', `flightdeck: 1\nname: Query errors\nvariables:\n  url: ${server.url}\n`)
  const query = (name: string, q: string, extra = ''): string =>
    `name: ${name}\nkind: graphql\nmethod: POST\nurl: "{{url}}"\ngraphql:\n  query: "${q}"\n${extra}`
  const status = 'assertions:\n  - kind: status\n    equals: 200\n'
  file('q/1-boom.yaml', query('Boom', '{ boom }', status))
  file('q/2-none.yaml', query('Boom, no checks', '{ boom }'))
  file('q/3-fine.yaml', query('Hello', '{ hello }', status))
  file(
    'e/1-expected.yaml',
    query(
      'Expected',
      '{ boom }',
      'assertions:\n  - kind: json\n    path: $.errors[0].message\n    exists: true\n',
    ),
  )
  file('g/1-get.yaml', query('By GET', '{ hello }').replace('method: POST', 'method: GET'))
})

afterAll(async () => {
  await server.close()
  folder.remove()
})

const run = (path: string): Promise<CollectionRun> => folder.run(path)

describe('a GraphQL query step whose answer carried errors', () => {
  it('fails, with or without a status check, and the run exits 1; an answer without errors passes', async () => {
    const { code, text, report } = await run('q')
    expect(report.results.map((r) => [r.path, r.passed]).sort(), text).toEqual([
      ['q/1-boom.yaml', false],
      ['q/2-none.yaml', false],
      ['q/3-fine.yaml', true],
    ])
    expect(code).toBe(1)
    const boom = report.results.find((r) => r.path === 'q/2-none.yaml')
    expect(boom?.assertions?.map((a) => [a.passed, a.message])).toEqual([
      [false, 'GraphQL errors: $.errors exists (add a check on $.errors to expect them)'],
    ])
  })

  it('passes when the step checks $.errors itself', async () => {
    const { code, text, report } = await run('e')
    expect(
      report.results.map((r) => [r.path, r.passed]),
      text,
    ).toEqual([['e/1-expected.yaml', true]])
    expect(code).toBe(0)
  })

  it('a GET request is sent as a GET, with no warning', async () => {
    const before = server.requests.length
    const { text, report } = await run('g')
    expect(
      report.results.map((r) => [r.path, r.passed]),
      text,
    ).toEqual([['g/1-get.yaml', true]])
    expect(server.requests.slice(before).map((r) => r.method)).toEqual(['GET'])
    expect(text).not.toContain('runs as a POST')
    expect(report.warnings ?? []).toEqual([])
  })
})
