import { collectionRunFolder, type CollectionRun, type CollectionRunFolder } from './collection-run-folder'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'

/**
 * A GraphQL subscription step whose results carried GraphQL errors fails in a run,
 * as `flightdeck graphql` exits 1 for it, even when the step checks nothing about errors (only the
 * count of results, or nothing at all): a failure never passes.
 */
let server: GraphqlFixture
let folder: CollectionRunFolder

beforeAll(async () => {
  server = await startGraphqlServer()
  const base = server.url.replace(/\/graphql$/, '')
  folder = collectionRunFolder('fd-gql-sub-errors')
  const file = folder.write
  file('collection.yaml', `flightdeck: 1\nname: Errors\nvariables:\n  base: ${base}\n`)
  const sub = (name: string, path: string, transport: string, checks: string): string =>
    `name: ${name}\nkind: graphql\nurl: "{{base}}${path}"\ngraphql:\n  query: "subscription { flaky(to: 4) }"\n  transport: ${transport}\n${checks}`
  const count = 'assertions:\n  - kind: message-count\n    equals: 4\n'
  file('s/1-ws.yaml', sub('Over ws', '/graphql', 'transport-ws', count))
  file('s/2-legacy.yaml', sub('Legacy', '/legacy', 'legacy-ws', count))
  file('s/3-sse.yaml', sub('Over SSE', '/graphql', 'sse', count))
  file('s/4-none.yaml', sub('No checks', '/graphql', 'transport-ws', ''))
  file(
    'e/1-expected.yaml',
    sub(
      'Expected',
      '/graphql',
      'transport-ws',
      'assertions:\n  - kind: json\n    path: $.errors\n    exists: true\n',
    ),
  )
})

afterAll(async () => {
  await server.close()
  folder.remove()
})

const run = (path: string): Promise<CollectionRun> => folder.run(path)

describe('a GraphQL subscription step whose results carried errors', () => {
  it('fails, whatever it checks, and the run exits 1', async () => {
    const { code, text, report } = await run('s')
    const rows = report.results.map((r) => [r.path, r.passed]).sort()
    expect(rows, text).toEqual([
      ['s/1-ws.yaml', false],
      ['s/2-legacy.yaml', false],
      ['s/3-sse.yaml', false],
      ['s/4-none.yaml', false],
    ])
    expect(code).toBe(1)
  })

  it('says so, and a step that checks $.errors itself decides', async () => {
    const { report } = await run('s/4-none.yaml')
    const messages = report.results[0]?.assertions?.map((a) => [a.passed, a.message])
    expect(messages).toEqual([
      [
        false,
        'GraphQL errors: $.errors exists in result 2 of 4 results (add a check on $.errors to expect them)',
      ],
    ])
    const expected = await run('e')
    expect(
      expected.report.results.map((r) => [r.path, r.passed]),
      expected.text,
    ).toEqual([['e/1-expected.yaml', true]])
    expect(expected.code).toBe(0)
  })
})
