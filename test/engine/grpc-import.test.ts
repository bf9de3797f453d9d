import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { load } from 'js-yaml'
import { importInsomnia } from '../../src/engine/importers/insomnia'
import { importInsomniaV5 } from '../../src/engine/importers/insomnia-v5'
import type { PlanNode } from '../../src/engine/importers/plan'
import { PROTO_DIR } from '../fixtures/grpc/grpc-server'

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
