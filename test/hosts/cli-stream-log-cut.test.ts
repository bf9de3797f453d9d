import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startWsServer, type WsFixture } from '../fixtures/ws-server'

/**
 * `flightdeck ws` against a real server flooding 100 messages, in a process whose stream logs keep 10 entries
 * (FLIGHTDECK_STREAM_LOG_MAX_ENTRIES): every message is still printed, and the command says on stderr, in the
 * app's words, how many were not kept and why; a `flightdeck run` stream step that waits for more messages than
 * its log kept fails saying so.
 */

let ws: WsFixture
let grpc: GrpcTestServer
let gql: GraphqlFixture
let root: string

beforeAll(async () => {
  ws = await startWsServer()
  grpc = await startGrpcServer()
  gql = await startGraphqlServer()
  root = mkdtempSync(join(tmpdir(), 'fd-cli-cut-'))
})
afterAll(async () => {
  await ws.close()
  await grpc.close()
  await gql.close()
  rmSync(root, { recursive: true, force: true })
})

describe('flightdeck ws past its log cut', () => {
  it('prints every message and says how many were not kept', async () => {
    const run = await runFlightdeckProcess(['ws', `${ws.url}/flood?n=100&size=8`], {
      root,
      timeoutMs: 60_000,
      env: { FLIGHTDECK_STREAM_LOG_MAX_ENTRIES: '10' },
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.split('\n').filter((l) => l.includes('xxxxxxxx'))).toHaveLength(100)
    // The 100 messages and the close frame came; 10 were kept.
    expect(run.stderr).toContain(
      "flightdeck: 91 messages not kept: this session's log is full (10 messages)\n",
    )
  }, 90_000)

  it('a bad limit is said as a warning and the default kept', async () => {
    const run = await runFlightdeckProcess(['ws', `${ws.url}/flood?n=5&size=8`], {
      root,
      timeoutMs: 60_000,
      env: { FLIGHTDECK_STREAM_LOG_MAX_ENTRIES: 'ten' },
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(
      "FLIGHTDECK_STREAM_LOG_MAX_ENTRIES must be a whole number from 1 to 20000000, not 'ten'",
    )
    expect(run.stderr).not.toContain('not kept')
  }, 90_000)
})

describe('flightdeck run: a stream step past its log cut', () => {
  it('fails its count and says how many messages were not kept', async () => {
    const dir = join(root, 'api')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Cut\nid: cut-run\n`)
    writeFileSync(
      join(dir, 'flood.yaml'),
      `name: Flood\nkind: ws\nurl: "${ws.url}/flood?n=100&size=8"\nstop:\n  count: 50\n  durationMs: 10000\n`,
    )
    const run = await runFlightdeckProcess(['run', dir], {
      root,
      timeoutMs: 60_000,
      env: { FLIGHTDECK_STREAM_LOG_MAX_ENTRIES: '10' },
    })
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).toContain(
      "the stream ended with 10 messages, before 50 messages (91 messages not kept: this session's log is full (10 messages))",
    )
  }, 90_000)

  it('a gRPC stream step too', async () => {
    const dir = join(root, 'grpc')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Cut gRPC\nid: cut-grpc\n`)
    writeFileSync(
      join(dir, 'count.yaml'),
      [
        'name: Count',
        'kind: grpc',
        `url: "grpc://${grpc.target}"`,
        'messages:',
        '  - name: many',
        `    text: '{"n": 100}'`,
        'grpc:',
        '  method: flightdeck.test.Echo/Count',
        'stop:',
        '  count: 50',
        '  durationMs: 10000',
        '',
      ].join('\n'),
    )
    const run = await runFlightdeckProcess(['run', dir], {
      root,
      timeoutMs: 60_000,
      env: { FLIGHTDECK_STREAM_LOG_MAX_ENTRIES: '10' },
    })
    expect(run.code).toBe(1)
    // The sent message and its half-close are 2 of the 10 kept: 8 received counted.
    expect(`${run.stdout}${run.stderr}`).toMatch(
      /with 8 messages, before 50 messages \(\d+ messages not kept: this session's log is full \(10 messages\)\)/,
    )
  }, 90_000)

  it('a GraphQL subscription step: checks over every result or the last fail, naming the cut', async () => {
    const dir = join(root, 'gql')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), `flightdeck: 1\nname: Cut GraphQL\nid: cut-gql\n`)
    writeFileSync(
      join(dir, 'sub.yaml'),
      [
        'name: Sub',
        'kind: graphql',
        `url: "${gql.url}"`,
        'graphql:',
        '  query: "subscription { count(to: 100) }"',
        '  transport: ws',
        'assertions:',
        '  - kind: json',
        '    path: $.errors',
        '    exists: false',
        '  - kind: json',
        '    path: $.data.count',
        '    equals: 100',
        '',
      ].join('\n'),
    )
    const run = await runFlightdeckProcess(['run', dir, '--reporter', 'json'], {
      root,
      timeoutMs: 60_000,
      env: { FLIGHTDECK_STREAM_LOG_MAX_ENTRIES: '10' },
    })
    expect(run.code).toBe(1)
    const all = `${run.stdout}${run.stderr}`
    // Results past the cut were not checked: 'in none' cannot pass, and the last result kept is not the last.
    expect(all).toMatch(
      /\$\.errors is in none of \d+ results \(\d+ messages not kept: this session's log is full \(10 messages\)\)/,
    )
    expect(all).toMatch(
      /the last result is not kept \(\d+ messages not kept: this session's log is full \(10 messages\)\)/,
    )
  }, 90_000)
})
