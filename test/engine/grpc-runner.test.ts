import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { PROTO_DIR, startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'

/**
 * `kind: grpc` requests in a collection, run by `flightdeck run`: a unary call checked on its reply's JSON, a
 * server stream stopped by a match, a call that fails with a status, and one from the collection's own protos
 * against a server without reflection. A real grpc-js server, the CLI's run command in this process.
 */

let server: GrpcTestServer
let bare: GrpcTestServer
let oauth: OAuthServer
let dir: string
let configDir: string
let out: string

beforeAll(async () => {
  server = await startGrpcServer()
  bare = await startGrpcServer({ reflection: 'none' })
  oauth = await startOAuthServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-run-grpc-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-run-grpc-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-run-grpc-out-'))
  cpSync(PROTO_DIR, join(dir, 'protos'), { recursive: true })
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file(
    'collection.yaml',
    `flightdeck: 1\nname: gRPC\nvariables:\n  echo: grpc://${server.target}\n  bare: grpc://${bare.target}\n  who: ada\n`,
  )
  file(
    'g/1-say.yaml',
    [
      'name: Say',
      'kind: grpc',
      'url: "{{echo}}"',
      'headers:',
      '  - name: x-user',
      '    value: "{{who}}"',
      'auth:',
      '  type: bearer',
      '  token: "{{who}}-token"',
      'messages:',
      '  - name: hello',
      '    text: |',
      '      {"text": "hi {{who}}"}',
      'grpc:',
      '  method: flightdeck.test.Echo/Say',
      'assertions:',
      '  - kind: json',
      '    path: $.text',
      '    equals: "you said: hi ada"',
      '  - kind: json',
      '    path: $.seen_metadata.x-user',
      '    equals: ada',
      '  - kind: json',
      '    path: $.seen_metadata.authorization',
      '    equals: Bearer ada-token',
      '',
    ].join('\n'),
  )
  file(
    'g/2-count.yaml',
    [
      'name: Count',
      'kind: grpc',
      'url: "{{echo}}"',
      'messages:',
      '  - name: ticks',
      '    text: \'{"n": 100000, "gap_ms": 2}\'',
      'grpc:',
      '  method: flightdeck.test.Echo/Count',
      'stop:',
      '  match: \'"i":4\\b\'',
      'assertions:',
      '  - kind: message-count',
      '    equals: 5',
      '',
    ].join('\n'),
  )
  file(
    'g/3-fail.yaml',
    'name: Fail\nkind: grpc\nurl: "{{echo}}"\nmessages:\n  - name: m\n    text: \'{"code": 5, "message": "no such user"}\'\ngrpc:\n  method: flightdeck.test.Echo/Fail\n',
  )
  // A call cannot carry a Digest challenge: refused, nothing sent (was sent without the credential).
  file(
    'g/5-digest.yaml',
    `name: Digest\nkind: grpc\nurl: "{{echo}}"\nauth:\n  type: digest\n  username: ada\n  password: pw\ngrpc:\n  method: flightdeck.test.Echo/Say\n`,
  )
  // A client stream saved by the app: its editor's text, a JSON array, is the request's one message.
  file(
    'g/6-array.yaml',
    `name: Array\nkind: grpc\nurl: "{{echo}}"\nmessages:\n  - name: message\n    text: '[{"value": 1}, {"value": 2}]'\ngrpc:\n  method: flightdeck.test.Echo/Sum\nassertions:\n  - kind: json\n    path: $.count\n    equals: 2\n`,
  )
  // OAuth 2.0 (client credentials): the token fetched and sent as metadata; a refused client sends nothing.
  // (A scope each: the token cache is keyed by grant, token URL, client and scope, not the secret.)
  const oauth2 = (secret: string, check: string): string =>
    `name: OAuth\nkind: grpc\nurl: "{{echo}}"\nauth:\n  type: oauth2\n  grant: client_credentials\n  tokenUrl: "${oauth.url}/token"\n  clientId: app\n  clientSecret: ${secret}\n  scope: grpc-${secret}\n  clientAuth: basic\ngrpc:\n  method: flightdeck.test.Echo/Say\n${check}`
  file(
    'g/7-oauth.yaml',
    oauth2(
      'app-secret',
      'assertions:\n  - kind: json\n    path: $.seen_metadata.authorization\n    equals: Bearer at-1\n',
    ),
  )
  file('g/8-oauth-refused.yaml', oauth2('wrong', ''))
  file(
    'g/4-protos.yaml',
    [
      'name: From protos',
      'kind: grpc',
      'url: "{{bare}}"',
      'messages:',
      '  - name: nums',
      '    text: \'{"value": 2}\'',
      '  - name: more',
      '    text: \'{"value": 40}\'',
      'grpc:',
      '  method: flightdeck.test.Echo/Sum',
      '  proto: echo.proto',
      '  importPaths: protos',
      'assertions:',
      '  - kind: json',
      '    path: $.sum',
      '    equals: "42"',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await server.close()
  await bare.close()
  await oauth.close()
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe('gRPC requests in a collection', () => {
  it('read and write back with their grpc block', () => {
    const text = readFileSync(join(dir, 'g/4-protos.yaml'), 'utf8')
    const parsed = parseRequestText(text, '4-protos')
    if (!parsed.ok) throw new Error(parsed.problem.message)
    expect(parsed.value.grpc).toEqual({
      method: 'flightdeck.test.Echo/Sum',
      proto: ['echo.proto'],
      importPaths: ['protos'],
    })
    expect(requestPlain(parsed.value)['grpc']).toEqual({
      method: 'flightdeck.test.Echo/Sum',
      proto: ['echo.proto'],
      importPaths: ['protos'],
    })
  })

  it('run: checks on the reply JSON (bearer auth as metadata), a stream stopped by a match, a non-OK status fails, protos from the collection', async () => {
    let stdout = ''
    let stderr = ''
    const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 'g', '--reporter', 'cli,json', '--out', out], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    expect(stderr).not.toMatch(/flightdeck: (?!.*failed)/)
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    const rows = json.results
      .map((r) => [r.path, r.passed, r.error?.message ?? null])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    expect(rows).toEqual([
      ['g/1-say.yaml', true, null],
      ['g/2-count.yaml', true, null],
      ['g/3-fail.yaml', false, 'NOT_FOUND (5): no such user'],
      ['g/4-protos.yaml', true, null],
      [
        'g/5-digest.yaml',
        false,
        "A gRPC call cannot send Digest auth (it sends Basic, Bearer, an API key in a header or an OAuth 2.0 token in the authorization header as metadata): set the request's Auth to one of them or None, or put the credential in Metadata. Nothing was sent",
      ],
      ['g/6-array.yaml', true, null],
      ['g/7-oauth.yaml', true, null],
      [
        'g/8-oauth-refused.yaml',
        false,
        'OAuth 2.0 token request was refused (invalid_client: Unknown client or wrong secret). Nothing was sent',
      ],
    ])
    // The refused client's call never reached the server: one Say from 1-say, one from 7-oauth.
    expect(server.calls.filter((c) => c.path.endsWith('/Say')).length).toBe(2)
    expect(code).toBe(1)
  })
})
