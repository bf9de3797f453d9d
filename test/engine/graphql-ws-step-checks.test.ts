import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'

/**
 * `flightdeck run` checks what a GraphQL subscription delivered, as it does a query's result: `json` on the
 * last result (`$.data.count`), `exists: false` across every result (`$.errors` in none), `body-contains` in
 * some result, beside `message-count`; over graphql-transport-ws, the legacy protocol and SSE, against
 * graphql-yoga (its graphql-ws server and its SSE) and the fixture's legacy server. A check that fails says
 * what it saw.
 */

let server: GraphqlFixture
let dir: string
let configDir: string
let out: string

const CHECKS = `assertions:
  - kind: json
    path: $.data.count
    equals: 5
  - kind: json
    path: $.errors
    exists: false
  - kind: body-contains
    text: '"count":3'
  - kind: message-count
    equals: 5
`

beforeAll(async () => {
  server = await startGraphqlServer()
  const base = server.url.replace(/\/graphql$/, '')
  dir = mkdtempSync(join(tmpdir(), 'fd-gql-ws-checks-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-gql-ws-checks-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-gql-ws-checks-out-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', `flightdeck: 1\nname: GraphQL checks\nvariables:\n  base: ${base}\n`)
  const sub = (name: string, path: string, transport: string, checks: string): string =>
    `name: ${name}\nkind: graphql\nurl: "{{base}}${path}"\ngraphql:\n  query: "subscription { count(to: 5) }"\n  transport: ${transport}\n${checks}`
  file('a/1-ws.yaml', sub('Over ws', '/graphql', 'ws', CHECKS))
  file('a/2-legacy.yaml', sub('Legacy', '/legacy', 'legacy-ws', CHECKS))
  file('a/3-sse.yaml', sub('Over SSE', '/graphql', 'sse', CHECKS))
  file(
    'b/1-wrong.yaml',
    sub(
      'Wrong',
      '/graphql',
      'transport-ws',
      `assertions:
  - kind: json
    path: $.data.count
    equals: 99
  - kind: json
    path: $.data.count
    exists: false
  - kind: body-contains
    text: '"count":42'
`,
    ),
  )
})

afterAll(async () => {
  await server.close()
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

async function run(path: string): Promise<{ code: number; report: JsonRunReport }> {
  const io = { out: () => undefined, err: () => undefined }
  const saved = process.env['FLIGHTDECK_CONFIG_DIR']
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
  try {
    const code = await runRunCli([dir, path, '--reporter', 'json', '--out', out], io)
    return { code, report: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport }
  } finally {
    if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
    else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
  }
}

const messages = (r: JsonRunReport, path: string): [boolean, string][] =>
  (r.results.find((x) => x.path === path)?.assertions ?? []).map((a) => [a.passed, a.message])

describe('assertions on GraphQL subscription steps', () => {
  it('json on the last result, errors absent from every result, body-contains, message-count: ws, legacy and SSE pass', async () => {
    const { code, report } = await run('a')
    expect(code).toBe(0)
    for (const path of ['a/1-ws.yaml', 'a/2-legacy.yaml', 'a/3-sse.yaml'])
      expect(messages(report, path)).toEqual([
        [true, '$.data.count is 5 in the last of 5 results'],
        [true, '$.errors is in none of 5 results'],
        [true, 'result 3 of 5 results contains ""count":3"'],
        [true, expect.stringMatching(/5/) as unknown as string],
      ])
  })

  it('checks that do not hold fail the step and say what the results held', async () => {
    const { code, report } = await run('b')
    expect(code).toBe(1)
    expect(messages(report, 'b/1-wrong.yaml')).toEqual([
      [false, '$.data.count is 5 in the last of 5 results, expected 99'],
      [false, '$.data.count exists in result 1 of 5 results'],
      [false, 'none of 5 results contains ""count":42"'],
    ])
  })
})
