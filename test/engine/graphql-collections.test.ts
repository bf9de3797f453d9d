import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { collectionRunFolder, type CollectionRun, type CollectionRunFolder } from './collection-run-folder'

/**
 * `kind: graphql` in a collection: the file reads and writes back with the query as a block string, and
 * `flightdeck run` runs queries as HTTP steps (assertions on `$.data`, `$.errors`) and an SSE subscription as a
 * stream step with its stop condition; a WebSocket subscription is refused at planning, with words.
 */

let server: GraphqlFixture
let folder: CollectionRunFolder

const FILE = `name: Get user
kind: graphql
method: POST
url: "{{base}}/graphql"
graphql:
  query: |
    query GetUser($id: Int!) {
      user(id: $id) {
        name
      }
    }
  variables: '{"id": {{userId}}}'
  operationName: GetUser
assertions:
  - kind: json
    path: $.data.user.name
    equals: user 4
`

beforeAll(async () => {
  server = await startGraphqlServer()
  const base = server.url.replace(/\/graphql$/, '')
  folder = collectionRunFolder('fd-gql-run')
  const file = (rel: string, text: string): void => folder.write(rel, text)
  file(
    'collection.yaml',
    `flightdeck: 1\nname: GraphQL\nvariables:\n  base: ${base}\n  userId: "4"\n  many: "1000"\n`,
  )
  file('q/1-user.yaml', FILE)
  file(
    'q/2-boom.yaml',
    'name: Boom\nkind: graphql\nurl: "{{base}}/graphql"\ngraphql:\n  query: "{ boom }"\nassertions:\n  - kind: json\n    path: $.errors[0].message\n    equals: It went boom\n',
  )
  file(
    'q/3-sub.yaml',
    'name: Count\nkind: graphql\nurl: "{{base}}/graphql"\ngraphql:\n  query: "subscription { count(to: 1000, delayMs: 1) }"\n  transport: sse\nstop:\n  count: 5\n',
  )
  file(
    'w/1-ws.yaml',
    'name: Over ws\nkind: graphql\nurl: "{{base}}/graphql"\ngraphql:\n  query: "subscription Count($to: Int!) { count(to: $to, delayMs: 1) }"\n  variables: \'{"to": {{many}}}\'\n  transport: ws\nstop:\n  count: 5\nassertions:\n  - kind: message-count\n    min: 5\n',
  )
  file(
    'w/2-legacy.yaml',
    'name: Legacy\nkind: graphql\nurl: "{{base}}/legacy"\ngraphql:\n  query: "subscription { count(to: 3) }"\n  transport: legacy-ws\nassertions:\n  - kind: message-count\n    equals: 3\n',
  )
  file(
    'w/3-short.yaml',
    'name: Too few\nkind: graphql\nurl: "{{base}}/graphql"\ngraphql:\n  query: "subscription { count(to: 2) }"\n  transport: transport-ws\nstop:\n  count: 10\n',
  )
  file(
    'w/4-invalid.yaml',
    'name: Invalid\nkind: graphql\nurl: "{{base}}/graphql"\ngraphql:\n  query: "subscription { nope }"\n  transport: ws\n',
  )
})

afterAll(async () => {
  await server.close()
  folder?.remove()
})

const run = (path: string): Promise<CollectionRun> => folder.run(path)

describe('kind: graphql in collections', () => {
  it('reads the file and writes it back with the query as a block string', () => {
    const parsed = parseRequestText(FILE, '1-user')
    if (!parsed.ok) throw new Error(parsed.problem.message)
    expect(parsed.value.kind).toBe('graphql')
    expect(parsed.value.graphql).toEqual({
      query: 'query GetUser($id: Int!) {\n  user(id: $id) {\n    name\n  }\n}\n',
      variables: '{"id": {{userId}}}',
      operationName: 'GetUser',
    })
    const plain = requestPlain(parsed.value)
    expect(plain['graphql']).toEqual(parsed.value.graphql)
    expect(plain['kind']).toBe('graphql')
  })

  it('flightdeck run: queries as HTTP steps with assertions on data and errors, an SSE subscription with its stop', async () => {
    const r = await run('q')
    expect(r.stderr).not.toMatch(/flightdeck: /)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('3 passed')
    const json = r.report
    const rows = json.results
      .map((x) => [x.path, x.passed, x.status])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    expect(rows).toEqual([
      ['q/1-user.yaml', true, 200],
      ['q/2-boom.yaml', true, 200],
      ['q/3-sub.yaml', true, 200],
    ])
  })

  it('flightdeck run: WebSocket subscriptions as stream steps (stop conditions, message-count, server errors)', async () => {
    const r = await run('w')
    expect(r.stderr).not.toMatch(/flightdeck: /)
    expect(r.code).toBe(1)
    const json = r.report
    const rows = json.results
      .map((x) => [x.path, x.passed, x.status, x.error?.message ?? null])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    expect(rows).toEqual([
      // Stopped after 5 of 1,000 results ({{many}} resolved in the variables): the upgrade's 101.
      ['w/1-ws.yaml', true, 101, null],
      // The legacy protocol: 3 `data` results, then complete; the ack and keep-alives are not counted.
      ['w/2-legacy.yaml', true, 101, null],
      ['w/3-short.yaml', false, 101, 'the stream ended with 2 messages, before 10 messages'],
      ['w/4-invalid.yaml', false, 101, expect.stringMatching(/nope/) as unknown as string],
    ])
  })
})
