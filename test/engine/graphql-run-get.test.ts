import { collectionRunFolder, type CollectionRun, type CollectionRunFolder } from './collection-run-folder'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'

/**
 * A GraphQL request saved with `method: GET` runs as a GET in `flightdeck run`, as the app sends it: the query,
 * variables and operation name in the query string, built once the step's `{{variables}}` are filled in (each
 * parameter percent-encoded once, the values inside it too). A mutation saved as a GET fails its step unsent,
 * in the app's words.
 */
const WORD = 'a&b=c d é 漢字 100%'

let server: GraphqlFixture
let folder: CollectionRunFolder

beforeAll(async () => {
  server = await startGraphqlServer()
  folder = collectionRunFolder('fd-gql-get')
  const file = folder.write
  file(
    'collection.yaml',
    `flightdeck: 1\nname: GET\nvariables:\n  url: ${server.url}\n  word: ${JSON.stringify(WORD)}\n  field: echo\n`,
  )
  file(
    'q/1-echo.yaml',
    [
      'name: Echo by GET',
      'kind: graphql',
      'method: GET',
      'url: "{{url}}?tag=x"',
      'graphql:',
      '  query: "query Echo($t: String!) { {{field}}(text: $t) }  query Other { hello }"',
      '  variables: \'{"t": "{{word}}"}\'',
      '  operationName: Echo',
      'assertions:',
      '  - kind: json',
      '    path: $.data.echo',
      `    equals: ${JSON.stringify(WORD)}`,
      '',
    ].join('\n'),
  )
  file(
    'l/1-long.yaml',
    [
      'name: Too long for a URL',
      'kind: graphql',
      'method: GET',
      'url: "{{url}}"',
      'graphql:',
      '  query: "query E($t: String!) { echo(text: $t) }"',
      `  variables: '{"t": "${'x'.repeat(40_000)}"}'`,
      '',
    ].join('\n'),
  )
  file(
    'm/1-bump.yaml',
    'name: Bump by GET\nkind: graphql\nmethod: GET\nurl: "{{url}}"\ngraphql:\n  query: "mutation { bump }"\n',
  )
})

afterAll(async () => {
  await server.close()
  folder.remove()
})

const run = (path: string): Promise<CollectionRun> => folder.run(path)

describe('a GraphQL request saved as a GET in flightdeck run', () => {
  it('is sent as a GET with its parameters resolved and encoded once in the query string', async () => {
    const before = server.requests.length
    const { code, text, report } = await run('q')
    expect(
      report.results.map((r) => [r.path, r.passed]),
      text,
    ).toEqual([['q/1-echo.yaml', true]])
    expect(code).toBe(0)
    const seen = server.requests.slice(before)
    expect(seen.map((r) => r.method)).toEqual(['GET'])
    const target = new URL(seen[0]?.url ?? '', server.url)
    expect(target.pathname).toBe('/graphql')
    expect(target.searchParams.get('tag')).toBe('x')
    expect(target.searchParams.get('query')).toBe(
      'query Echo($t: String!) { echo(text: $t) }  query Other { hello }',
    )
    expect(JSON.parse(target.searchParams.get('variables') ?? 'null')).toEqual({ t: WORD })
    expect(target.searchParams.get('operationName')).toBe('Echo')
    expect([...target.searchParams.keys()].sort()).toEqual(['operationName', 'query', 'tag', 'variables'])
    expect(report.warnings ?? []).toEqual([])
  })

  it('fails a mutation unsent, in the words the app uses', async () => {
    const before = server.requests.length
    const { code, text, report } = await run('m')
    expect(
      report.results.map((r) => [r.path, r.passed]),
      text,
    ).toEqual([['m/1-bump.yaml', false]])
    expect(code).toBe(1)
    expect(report.results[0]?.error?.message).toBe(
      'A mutation cannot be sent with GET (GraphQL over HTTP allows only POST)',
    )
    expect(text).toContain('A mutation cannot be sent with GET (GraphQL over HTTP allows only POST)')
    expect(server.requests.length).toBe(before)
  })

  it('fails, saying how long its URL was, when the server refuses the URL as too long', async () => {
    const { code, text, report } = await run('l')
    expect(
      report.results.map((r) => [r.path, r.passed, r.status]),
      text,
    ).toEqual([['l/1-long.yaml', false, 431]])
    expect(code).toBe(1)
    expect(report.results[0]?.assertions?.map((a) => a.message)).toEqual([
      expect.stringMatching(
        /^The server refused the GET's URL \(4\d{4} bytes\) with 431: save the request as a POST$/,
      ),
    ])
  })
})
