import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import type { EngineService } from '../../src/engine/service'
import { isolatedService } from './helpers'

/**
 * A GraphQL document is parsed as it is sent: its `{{variables}}` filled and its `\{{` escapes read first, as an
 * HTTP body's are. Parsed before, `\{{x}}` in a string literal (an escape GraphQL does not have) and a
 * `{{variable}}` where a value goes (`user(id: {{id}})`) were refused as documents that do not parse, in the
 * app and in `flightdeck graphql`. A real HTTP server on 127.0.0.1:0 records the query text and variables that
 * arrive.
 */

interface Arrived {
  query: string
  variables?: unknown
}

let server: Server
let url = ''
const arrived: Arrived[] = []
let root: string
let dir: string
let service: EngineService

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      arrived.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Arrived)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
  root = mkdtempSync(join(tmpdir(), 'fd-gql-template-parse-'))
  dir = join(root, 'api')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    'flightdeck: 1\nname: Api\nid: api\nvariables:\n  id: "3"\n  who: Ann\n',
  )
  writeFileSync(join(dir, 'q.yaml'), 'name: Q\nmethod: POST\nurl: http://127.0.0.1/\n')
  service = isolatedService(root)
  expect((await service.invoke('collection.open', { dir })).ok).toBe(true)
})

afterAll(async () => {
  await service.dispose()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

/** What the server got for one operation the app sends with the collection's variables. */
async function appSends(query: string): Promise<Arrived> {
  const before = arrived.length
  const sent = await service.invoke('graphql.send', {
    url,
    query,
    transport: 'http',
    headers: [],
    context: { dir, path: 'q.yaml' },
  })
  if (!sent.ok) throw new Error(sent.error.message)
  const done = await service.waitForExchange(sent.value.sid)
  expect(done.final.type).toBe('done')
  expect(arrived.length).toBe(before + 1)
  return arrived[before] as Arrived
}

describe('a GraphQL document is parsed once its templates are filled', () => {
  it('the app: {{id}} where a value goes is filled, then parsed and sent', async () => {
    const got = await appSends('query User { user(id: {{id}}) { name } }')
    expect(got.query).toBe('query User { user(id: 3) { name } }')
  })

  it('the app: \\{{name}} in a string literal goes as {{name}}, beside a filled {{who}}', async () => {
    const got = await appSends('{ echo(text: "\\{{name}} and {{who}}") }')
    expect(got.query).toBe('{ echo(text: "{{name}} and Ann") }')
  })

  it('Copy as: a mutation by GET is refused once \\{{…}} is read, as Send refuses it', async () => {
    const r = await service.invoke('draft.snippet', {
      request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
      auth: { type: 'none' },
      target: 'curl',
      graphql: { query: 'mutation Note { note(text: "\\{{x}}") }' },
    })
    expect(r.ok ? 'a snippet' : r.error.message).toBe(
      'A mutation cannot be sent with GET (GraphQL over HTTP allows only POST)',
    )
  })

  it('flightdeck graphql: \\{{x}} typed in a string literal and in the variables goes as {{x}}', async () => {
    const before = arrived.length
    let out = ''
    let err = ''
    const code = await runCli(
      [
        'graphql',
        url,
        '-q',
        'query Echo($t: String!) { echo(text: "\\{{x}}", also: $t) }',
        '-v',
        '{"t":"\\{{y}}"}',
      ],
      { out: (t) => void (out += t), err: (t) => void (err += t) },
    )
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(out)).toEqual({ data: { ok: true } })
    expect(arrived.slice(before)).toEqual([
      { query: 'query Echo($t: String!) { echo(text: "{{x}}", also: $t) }', variables: { t: '{{y}}' } },
    ])
  })
})
