import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SavedRequest } from '../../src/shared/collection'
import { importBrunoFolder } from '../../src/engine/importers/bruno'
import { importOpenCollection } from '../../src/engine/importers/opencollection'
import type { ImportPlan, PlanNode } from '../../src/engine/importers/plan'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { call, grpcRig, invoke } from './grpc-helpers'
import { readLog } from './stream-helpers'

/**
 * Bruno's gRPC requests (Bruno 2.x: a `.bru` with `meta { type: grpc }`, a `grpc` block, `metadata` and one
 * `body:grpc` per message; or an OpenCollection YAML item with a `grpc:` map) come in as `kind: grpc`, and the
 * imported request calls a real grpc-js server as Bruno would have.
 */

let server: GrpcTestServer
let dir: string

const file = (rel: string, text: string): void => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true })
  writeFileSync(join(dir, rel), text)
}

function requests(plan: ImportPlan): Record<string, SavedRequest> {
  const out: Record<string, SavedRequest> = {}
  const walk = (nodes: PlanNode[]): void => {
    for (const n of nodes) {
      if (n.type === 'request') out[n.request.name] = n.request
      else walk(n.folder.children)
    }
  }
  walk(plan.children)
  return out
}

beforeAll(async () => {
  server = await startGrpcServer({ reflection: 'both' })
  dir = mkdtempSync(join(tmpdir(), 'fd-bruno-grpc-'))
  file(
    'bruno.json',
    JSON.stringify({
      version: '1',
      name: 'Echo over gRPC',
      type: 'collection',
      protobuf: {
        protoFiles: [{ path: './protos/echo.proto', type: 'file' }],
        importPaths: [{ path: './protos', enabled: true }],
      },
    }),
  )
  file('Echo/folder.bru', 'meta {\n  name: Echo\n  seq: 1\n}\n')
  file(
    'Echo/Chat.bru',
    `meta {
  name: Chat
  type: grpc
  seq: 2
}

grpc {
  url: ${server.target}
  method: /flightdeck.test.Echo/Chat
  body: grpc
  auth: bearer
  methodType: bidi-streaming
}

metadata {
  x-user: ada
  ~x-off: 1
}

auth:bearer {
  token: {{token}}
}

body:grpc {
  name: first
  content: '''
    {
      "text": "one"
    }
  '''
}

body:grpc {
  name: second
  content: '''
    {"text": "two"}
  '''
}
`,
  )
  file(
    'Echo/Say.bru',
    `meta {
  name: Say over TLS
  type: grpc
  seq: 1
}

grpc {
  url: https://echo.example.test:8443
  method: /flightdeck.test.Echo/Say
  body: grpc
  auth: inherit
  protoPath: ./protos/echo.proto
}

body:grpc {
  name: message 1
  content: '''
    {}
  '''
}

tests {
  test("ok", () => {})
}
`,
  )
})

afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe("Bruno's gRPC requests", () => {
  it('come in from .bru files: target, method, each message in order, metadata, bearer token', async () => {
    const plan = await importBrunoFolder(dir)
    const r = requests(plan)
    expect(r['Chat']).toMatchObject({
      kind: 'grpc',
      // Bruno calls a bare 127.0.0.1 target in plaintext: here that needs grpc://.
      url: `grpc://${server.target}`,
      headers: [
        { name: 'x-user', value: 'ada', enabled: true },
        { name: 'x-off', value: '1', enabled: false },
        { name: 'authorization', value: 'Bearer {{token}}', enabled: true },
      ],
      messages: [
        { name: 'first', text: '{\n  "text": "one"\n}' },
        { name: 'second', text: '{"text": "two"}' },
      ],
      grpc: { method: 'flightdeck.test.Echo/Chat' },
    })
    expect(r['Say over TLS']).toMatchObject({
      kind: 'grpc',
      url: 'grpcs://echo.example.test:8443',
      grpc: { method: 'flightdeck.test.Echo/Say', proto: ['protos/echo.proto'] },
    })
    // What is not carried over is said: the proto files to copy, the tests.
    expect(plan.unmapped).toEqual(
      expect.arrayContaining([
        expect.stringContaining('bruno.json: its proto files (./protos/echo.proto) were not copied'),
        expect.stringContaining('Say.bru: its proto file protos/echo.proto was not copied'),
        expect.stringContaining('Say.bru: scripts, tests and assertions of a gRPC request not kept'),
      ]),
    )
    expect(plan.unmapped.join('\n')).not.toMatch(/no method block/)

    // The imported bidi request calls the server with its messages and metadata.
    const chat = r['Chat'] as SavedRequest
    const rig = grpcRig()
    try {
      const { sid, outcome } = await invoke(
        rig,
        call(
          chat.url.replace(/^grpc:\/\//, ''),
          chat.grpc?.method ?? '',
          chat.messages?.map((m) => m.text) ?? [],
          { metadata: chat.headers.filter((h) => h.name !== 'authorization') },
        ),
      )
      expect(outcome.final.type).toBe('done')
      const replies = (await readLog(rig.service, sid))
        .filter((e) => e.dir === 'in' && e.kind === 'text')
        .map((e) => (JSON.parse(e.data) as { text: string }).text)
      expect(replies).toEqual(['echo: one', 'echo: two'])
    } finally {
      rig.close()
    }
  })

  it('come in from OpenCollection YAML', () => {
    const plan = importOpenCollection({
      opencollection: '1.0.0',
      info: { name: 'Echo' },
      items: [
        {
          info: { name: 'Count', type: 'grpc', seq: 1 },
          grpc: {
            url: 'grpc://localhost:50051',
            method: '/flightdeck.test.Echo/Count',
            methodType: 'server-streaming',
            metadata: [
              { name: 'x-user', value: 'ada' },
              { name: 'x-off', value: '1', disabled: true },
            ],
            message: [{ title: 'ask', message: '{"n": 3}' }],
            auth: { type: 'apikey', key: 'X-Api-Key', value: '{{key}}', placement: 'header' },
          },
        },
        {
          info: { name: 'Say', type: 'grpc', seq: 2 },
          grpc: { url: 'localhost:50051', method: '/flightdeck.test.Echo/Say', message: '{"text": "hi"}' },
        },
      ],
    })
    const r = requests(plan)
    expect(r['Count']).toMatchObject({
      kind: 'grpc',
      url: 'grpc://localhost:50051',
      headers: [
        { name: 'x-user', value: 'ada', enabled: true },
        { name: 'x-off', value: '1', enabled: false },
        { name: 'x-api-key', value: '{{key}}', enabled: true },
      ],
      messages: [{ name: 'ask', text: '{"n": 3}' }],
      grpc: { method: 'flightdeck.test.Echo/Count' },
    })
    expect(r['Say']).toMatchObject({
      url: 'grpc://localhost:50051',
      messages: [{ name: 'message 1', text: '{"text": "hi"}' }],
    })
    expect(plan.unmapped.join('\n')).not.toMatch(/no http block/)
  })
})
