import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Readable } from 'node:stream'
import { runGrpcCli } from '../../src/cli/grpc-command'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { PROTO_DIR } from '../fixtures/grpc/grpc-server'

/**
 * A saved gRPC request's `options.connectTimeoutMs` bounds its channel's connect, as it bounds a WebSocket's
 * handshake: against a peer that takes the TCP connection and never speaks HTTP/2, the call ends after that
 * time, saying so (it waited the fixed 10 s before).
 */

let silent: Server
const sockets = new Set<Socket>()
let target: string
let dir: string
let configDir: string
let out: string

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const address = silent.address()
  target = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  dir = mkdtempSync(join(tmpdir(), 'fd-grpc-connect-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-grpc-connect-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-grpc-connect-out-'))
  cpSync(PROTO_DIR, join(dir, 'protos'), { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: connect\n')
  writeFileSync(
    join(dir, 'say.yaml'),
    [
      'name: Say',
      'kind: grpc',
      `url: grpc://${target}`,
      'messages:',
      '  - name: hello',
      '    text: \'{"text": "hi"}\'',
      'grpc:',
      '  method: flightdeck.test.Echo/Say',
      '  proto: echo.proto',
      '  importPaths: protos',
      'options:',
      '  connectTimeoutMs: 300',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => silent.close(() => resolve()))
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe('a gRPC request with a connect timeout', () => {
  it("run: ends after the request's connectTimeoutMs at a peer that never speaks HTTP/2, saying so", async () => {
    const io = { out: () => undefined, err: () => undefined }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, '--reporter', 'json', '--out', out], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    expect(json.results.map((r) => [r.path, r.passed, r.error?.message ?? null])).toEqual([
      [
        'say.yaml',
        false,
        `UNAVAILABLE (14): No HTTP/2 connection to ${target} within 300 ms: the server did not complete the handshake (is it a gRPC server, and does it want TLS?)`,
      ],
    ])
    expect(code).toBe(1)
  }, 60_000)

  it('flightdeck grpc --request: the same limit, the same words', async () => {
    let err = ''
    const io = { out: () => undefined, err: (t: string) => void (err += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runGrpcCli(['--collection', dir, '--request', 'say.yaml'], io, Readable.from([]))
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    expect(code).not.toBe(0)
    expect(err).toContain(`No HTTP/2 connection to ${target} within 300 ms`)
  }, 60_000)
})
