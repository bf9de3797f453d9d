import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importInsomnia } from '../../src/engine/importers/insomnia'
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
