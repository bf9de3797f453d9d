import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseGraphqlArgs } from '../../src/cli/graphql-args'
import { runCli } from '../../src/cli/index'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'

let server: GraphqlFixture

beforeAll(async () => {
  server = await startGraphqlServer()
})
afterAll(async () => {
  await server.close()
})

/** `flightdeck …` in this process, its output captured. */
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

describe('flightdeck graphql', () => {
  it('prints a query result, exit 0', async () => {
    const r = await flightdeck('graphql', server.url, '--query', 'query { user(id: 3) { name } }')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toEqual({ data: { user: { name: 'user 3' } } })
  })

  it('exit 1 on GraphQL errors in a 200, each error on stderr with path and location', async () => {
    const r = await flightdeck('graphql', server.url, '-q', '{ boom }', '--json')
    expect(r.code).toBe(1)
    expect(lines(r.out)[0]).toMatchObject({ type: 'result', status: 200, data: { boom: null } })
    expect(r.err).toContain('GraphQL error: It went boom (at boom, line 1:3)')
  })

  it('reads the query and variables from files and picks the operation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-gql-'))
    writeFileSync(join(dir, 'q.graphql'), 'query A { hello }\nquery B($id: Int!) { user(id: $id) { id } }\n')
    writeFileSync(join(dir, 'v.json'), '{"id": 9}')
    const r = await flightdeck(
      'graphql',
      server.url,
      '-q',
      `@${join(dir, 'q.graphql')}`,
      '-v',
      `@${join(dir, 'v.json')}`,
      '-o',
      'B',
    )
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toEqual({ data: { user: { id: 9 } } })
    const both = await flightdeck('graphql', server.url, '-q', `@${join(dir, 'q.graphql')}`)
    expect(both.code).toBe(2)
    expect(both.err).toContain('choose one with the operation name (A, B)')
    // A {{variable}} in a file is refused as typed text is: a plain graphql command has none to give it.
    writeFileSync(join(dir, 'braces.json'), '{"id": "{{id}}"}')
    const before = server.requests.length
    const braces = await flightdeck(
      'graphql',
      server.url,
      '-q',
      '{ hello }',
      '-v',
      `@${join(dir, 'braces.json')}`,
    )
    expect(braces.err).toMatch(/^flightdeck: \{\{id\}\} in the --variables file .*braces\.json is a variable/)
    expect(braces.code).toBe(2)
    expect(server.requests.length).toBe(before)
  })

  it('a subscription prints each result as a JSON line, in order, and ends with complete', async () => {
    const r = await flightdeck('graphql', server.url, '-q', 'subscription { count(to: 50) }', '--json')
    expect(r.code).toBe(0)
    const out = lines(r.out)
    expect(out[0]).toMatchObject({ type: 'open', protocol: 'graphql-transport-ws' })
    const nexts = out.filter((l) => l['type'] === 'next')
    expect(nexts.map((l) => (l['data'] as { count: number }).count)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    )
    expect(typeof nexts[0]?.['t']).toBe('number')
    expect(out.at(-1)).toMatchObject({ type: 'complete', results: 50 })
  })

  it('--max stops a subscription over each transport', async () => {
    for (const [url, transport] of [
      [server.wsUrl, 'ws'],
      [server.legacyUrl, 'legacy-ws'],
      [server.url, 'sse'],
    ] as const) {
      const r = await flightdeck(
        'graphql',
        url,
        '-t',
        transport,
        '-q',
        'subscription { count(to: 100000, delayMs: 2) }',
        '--max',
        '3',
      )
      expect(r.code, transport).toBe(0)
      expect(
        r.out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown),
        transport,
      ).toEqual([{ data: { count: 1 } }, { data: { count: 2 } }, { data: { count: 3 } }])
    }
  })

  it('exit 1 for a failed subscription', async () => {
    const r = await flightdeck('graphql', server.url, '-q', 'subscription { dropAfter(n: 1) }')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/reset: The connection dropped before the subscription completed/)
  })

  it('--introspect prints the schema as SDL', async () => {
    const r = await flightdeck('graphql', server.url, '--introspect')
    expect(r.code).toBe(0)
    expect(r.out).toContain('"""A user of the test server."""\ntype User {')
    expect(r.out).toContain('count(to: Int!, delayMs: Int = 0): Int!')
  })

  it('bad arguments exit 2', async () => {
    expect((await flightdeck('graphql', server.url)).code).toBe(2)
    expect((await flightdeck('graphql', server.url, '-q', '{ hello }', '-t', 'carrier-pigeon')).code).toBe(2)
    expect((await flightdeck('graphql', server.url, '-q', '{ hello }', '-v', '[1]')).code).toBe(2)
    expect((await flightdeck('graphql', server.url, '-q', '{ hello')).code).toBe(2)
    expect(parseGraphqlArgs(['graphql', 'x', '-q', 'q', '--max', '0'])).toMatchObject({ kind: 'error' })
  })
})

describe('flightdeck graphql --schema FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-gql-sdl-'))
  const sdl = join(dir, 'schema.graphql')
  writeFileSync(
    sdl,
    [
      'type User {',
      '  id: Int!',
      '  name: String!',
      '}',
      'type Query {',
      '  hello: String!',
      '  user(id: Int!): User',
      '}',
      'type Subscription {',
      '  count(to: Int!, delayMs: Int = 0): Int!',
      '}',
      '',
    ].join('\n'),
  )

  it('a document that does not validate is refused before anything is sent, with line and column, exit 2', async () => {
    const before = server.connectionParams.length
    const r = await flightdeck(
      'graphql',
      server.url,
      '--schema',
      sdl,
      '-q',
      'subscription {\n  nope\n}',
      '--params',
      '{"token": "t"}',
    )
    expect(r.code).toBe(2)
    expect(r.err).toContain(
      'The GraphQL query does not validate against the schema: line 2, column 3: Cannot query field "nope" on type "Subscription".',
    )
    expect(r.out).toBe('')
    // No connection_init reached the server: nothing was sent.
    expect(server.connectionParams.length).toBe(before)
  })

  it('a document that validates is sent', async () => {
    const r = await flightdeck('graphql', server.url, '-s', sdl, '-q', '{ user(id: 2) { name } }')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toEqual({ data: { user: { name: 'user 2' } } })
  })

  it('a schema file that is not SDL is named with its line and column, exit 2', async () => {
    const bad = join(dir, 'bad.graphql')
    writeFileSync(bad, 'type Query {\n  hello: String!\n  oops(\n}\n')
    const r = await flightdeck('graphql', server.url, '--schema', bad, '-q', '{ hello }')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(new RegExp(`The schema file .*bad\\.graphql is not a schema: line 4, column 1: `))
  })
})
