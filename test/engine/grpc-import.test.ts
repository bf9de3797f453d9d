import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { load } from 'js-yaml'
import type { SavedRequest } from '../../src/shared/collection'
import { importInsomnia } from '../../src/engine/importers/insomnia'
import { importInsomniaV5 } from '../../src/engine/importers/insomnia-v5'
import type { PlanNode } from '../../src/engine/importers/plan'
import { importYaak } from '../../src/engine/importers/yaak'
import { PROTO_DIR, startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { call, grpcRig, invoke } from './grpc-helpers'
import { readLog } from './stream-helpers'

/** gRPC requests in an Insomnia export (v4, `grpc_request`) come in as `kind: grpc`, their proto file named. */
describe('gRPC requests from Insomnia', () => {
  it('become gRPC requests with target, method, message and metadata; the proto file is said, not lost', () => {
    const text = readFileSync(join(PROTO_DIR, '..', 'imports', 'insomnia-grpc.json'), 'utf8')
    const plan = importInsomnia(JSON.parse(text))
    const requests: PlanNode[] = []
    const walk = (nodes: PlanNode[]): void => {
      for (const n of nodes) {
        if (n.type === 'request') requests.push(n)
        else walk(n.folder.children)
      }
    }
    walk(plan.children)
    const byName = Object.fromEntries(
      requests.map((n) => (n.type === 'request' ? [n.request.name, n.request] : ['', null])),
    )
    expect(byName['Say hello']).toMatchObject({
      kind: 'grpc',
      url: 'grpc://{{echoHost}}',
      headers: [
        { name: 'x-user', value: '{{user}}', enabled: true },
        { name: 'x-off', value: '1', enabled: false },
      ],
      messages: [{ name: 'message', text: '{\n  "text": "hi"\n}' }],
      grpc: { method: 'flightdeck.test.Echo/Say' },
    })
    expect(byName['Count over TLS']).toMatchObject({
      kind: 'grpc',
      url: 'grpcs://echo.example.test:443',
      grpc: { method: 'flightdeck.test.Echo/Count' },
    })
    expect(plan.unmapped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Say hello: its proto file echo\.proto was not written/),
      ]),
    )
    // Nothing of the gRPC requests is reported as unknown.
    expect(plan.unmapped.join('\n')).not.toMatch(/grpc request/)
  })
})

describe('gRPC requests from Insomnia v5 (YAML)', () => {
  it('come in as gRPC requests as v4 ones do, not left out', () => {
    const plan = importInsomniaV5(
      load(
        [
          'type: collection.insomnia.rest/5.0',
          'name: Echo',
          'meta:',
          '  id: wrk_echo',
          'collection:',
          '  - url: localhost:50051',
          '    name: Say',
          '    meta:',
          '      id: greq_say',
          '    protoFileId: pf_echo',
          '    protoMethodName: /flightdeck.test.Echo/Say',
          '    metadata:',
          '      - name: x-user',
          '        value: ada',
          '    body:',
          '      text: \'{"text": "hi"}\'',
        ].join('\n'),
      ),
    )
    const say = plan.children[0]
    expect(say?.type === 'request' && say.request).toMatchObject({
      kind: 'grpc',
      url: 'grpc://localhost:50051',
      headers: [{ name: 'x-user', value: 'ada', enabled: true }],
      messages: [{ name: 'message', text: '{"text": "hi"}' }],
      grpc: { method: 'flightdeck.test.Echo/Say' },
    })
    expect(plan.unmapped).toEqual([
      'Say: its proto file is not in the export; the request uses server reflection (save the file in the collection and name it in grpc.proto)',
    ])
  })
})

/**
 * Yaak's gRPC requests (`resources.grpcRequests`, as Yaak 2025 exports them): target, service and method, the one
 * message, metadata with the workspace's and folders' headers under it, and the auth Yaak sends as metadata.
 */
describe('gRPC requests from Yaak', () => {
  let server: GrpcTestServer
  beforeAll(async () => {
    server = await startGrpcServer()
  })
  afterAll(async () => {
    await server.close()
  })

  const yaakExport = (target: string): unknown => ({
    yaakVersion: '2025.1.2',
    yaakSchema: 4,
    timestamp: '2025-02-01T10:00:00',
    resources: {
      workspaces: [
        {
          model: 'workspace',
          id: 'wk_echo',
          name: 'Echo',
          headers: [{ name: 'x-team', value: 'core', enabled: true }],
          authenticationType: 'bearer',
          authentication: { token: '${[ token ]}' },
        },
      ],
      environments: [
        {
          model: 'environment',
          id: 'ev_base',
          workspaceId: 'wk_echo',
          name: 'Global',
          parentModel: 'workspace',
          variables: [{ name: 'token', value: 'ws-token', enabled: true }],
        },
      ],
      folders: [
        {
          model: 'folder',
          id: 'fl_calls',
          workspaceId: 'wk_echo',
          folderId: null,
          name: 'Calls',
          sortPriority: 0,
          headers: [{ name: 'X-User', value: 'folder', enabled: true }],
          authenticationType: null,
          authentication: {},
        },
      ],
      httpRequests: [],
      websocketRequests: [],
      grpcRequests: [
        {
          model: 'grpc_request',
          id: 'gr_say',
          workspaceId: 'wk_echo',
          folderId: 'fl_calls',
          name: 'Say',
          sortPriority: 1,
          url: `http://${target}`,
          service: 'flightdeck.test.Echo',
          method: 'Say',
          message: '{\n  "text": "hi"\n}',
          metadata: [
            { name: 'x-user', value: 'ada', enabled: true },
            { name: 'x-off', value: '1', enabled: false },
          ],
          authenticationType: null,
          authentication: {},
          description: '',
          settingValidateCertificates: { enabled: false, value: true },
          settingRequestMessageSize: { enabled: false, value: 0 },
        },
        {
          model: 'grpc_request',
          id: 'gr_count',
          workspaceId: 'wk_echo',
          folderId: 'fl_calls',
          name: 'Count over TLS',
          sortPriority: 2,
          url: 'https://echo.example.test:8443',
          service: 'flightdeck.test.Echo',
          method: 'Count',
          message: '{"n": 2}',
          metadata: [],
          authenticationType: 'apikey',
          authentication: { key: 'X-Api-Key', value: '${[ key ]}', location: 'header' },
          settingValidateCertificates: { enabled: true, value: false },
          settingRequestMessageSize: { enabled: true, value: 1048576 },
        },
        {
          model: 'grpc_request',
          id: 'gr_bare',
          workspaceId: 'wk_echo',
          folderId: null,
          name: 'Not picked',
          sortPriority: 3,
          url: '${[ echoHost ]}',
          service: null,
          method: null,
          message: '',
          metadata: [],
          authenticationType: 'none',
          authentication: {},
        },
      ],
    },
  })

  it('come in as gRPC requests, and the imported call sends what Yaak sends', async () => {
    const plan = importYaak(yaakExport(server.target))
    const folder = plan.children[0]
    const inFolder = folder?.type === 'folder' ? folder.folder.children : []
    const [say, count] = inFolder.map((n) => (n.type === 'request' ? n.request : null))
    expect(say).toMatchObject({
      kind: 'grpc',
      // Yaak calls http:// in plaintext.
      url: `grpc://${server.target}`,
      headers: [
        { name: 'x-team', value: 'core', enabled: true },
        { name: 'x-user', value: 'ada', enabled: true },
        { name: 'x-off', value: '1', enabled: false },
        { name: 'authorization', value: 'Bearer {{token}}', enabled: true },
      ],
      messages: [{ name: 'message 1', text: '{\n  "text": "hi"\n}' }],
      grpc: { method: 'flightdeck.test.Echo/Say' },
    })
    expect(count).toMatchObject({
      kind: 'grpc',
      url: 'grpcs://echo.example.test:8443',
      headers: [
        { name: 'x-team', value: 'core', enabled: true },
        { name: 'X-User', value: 'folder', enabled: true },
        { name: 'x-api-key', value: '{{key}}', enabled: true },
      ],
      options: { insecure: true },
      grpc: { method: 'flightdeck.test.Echo/Count', maxMessageBytes: 1048576 },
    })
    const bare = plan.children[1]
    expect(bare?.type === 'request' && bare.request).toMatchObject({
      kind: 'grpc',
      url: 'grpc://{{echoHost}}',
      headers: [{ name: 'x-team', value: 'core', enabled: true }],
      messages: [],
      grpc: { method: '' },
    })
    expect(plan.unmapped).toEqual([
      "3 gRPC requests use server reflection: Yaak keeps the .proto files picked for a request outside its export, so none came; if the server has no reflection, pick them in the composer (or name them in collection.yaml's grpc: block)",
      'Calls: header X-User (sent with every request below it) copied into 2 requests (Flightdeck folders have no headers)',
      'Not picked: no method picked in Yaak; pick one in the composer after loading the schema',
      'Not picked: its address starts with a variable, written grpc://{{echoHost}} (plaintext, as Yaak calls a value without https://); make the variable host:port, or write grpcs:// for TLS',
      'workspace: header x-team (sent with every request below it) copied into 3 requests (Flightdeck folders have no headers)',
    ])

    // The imported Say, its {{token}} filled as the base environment has it, reaches a real grpc-js server.
    const r = say as SavedRequest
    const rig = grpcRig()
    try {
      const { sid, outcome } = await invoke(
        rig,
        call(r.url.replace(/^grpc:\/\//, ''), r.grpc?.method ?? '', r.messages?.map((m) => m.text) ?? [], {
          metadata: r.headers.map((h) => ({ ...h, value: h.value.replace('{{token}}', 'ws-token') })),
        }),
      )
      expect(outcome.final.type).toBe('done')
      const replies = (await readLog(rig.service, sid))
        .filter((e) => e.dir === 'in' && e.kind === 'text')
        .map((e) => JSON.parse(e.data) as { text: string; seen_metadata: Record<string, string> })
      expect(replies.map((x) => x.text)).toEqual(['you said: hi'])
      expect(replies[0]?.seen_metadata).toMatchObject({
        authorization: 'Bearer ws-token',
        'x-team': 'core',
        'x-user': 'ada',
      })
      expect(replies[0]?.seen_metadata).not.toHaveProperty('x-off')
    } finally {
      rig.close()
    }
  })
})
