import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { collectionRunFolder, type CollectionRunFolder } from './collection-run-folder'

/**
 * A run's MQTT step whose OAuth 2.0 auth sends its token in the query: MQTT has no query, so the step is refused
 * in words before anything is fetched or connected, as the app refuses it. The run fetched a token from the
 * token endpoint first (a credential used for nothing) and refused only then.
 */

let oauth: OAuthServer
let broker: Server
let brokerUrl: string
const connections: Socket[] = []
let folder: CollectionRunFolder

beforeAll(async () => {
  oauth = await startOAuthServer()
  // A TCP listener where the broker would be: it counts the connections the step opened (none, expected).
  broker = createServer((s) => {
    connections.push(s)
    s.destroy()
  })
  await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r))
  brokerUrl = `mqtt://127.0.0.1:${(broker.address() as AddressInfo).port}`
  folder = collectionRunFolder('fd-mqtt-oauth-query')
})

afterAll(async () => {
  await oauth.close()
  await new Promise<void>((r) => broker.close(() => r()))
  folder.remove()
})

describe('flightdeck run: an MQTT step with OAuth 2.0 tokenIn: query', () => {
  it('is refused in words before the token endpoint or the broker is asked anything', async () => {
    folder.write('collection.yaml', 'flightdeck: 1\nname: q\n')
    folder.write(
      'qm/folder.yaml',
      [
        'auth:',
        '  type: oauth2',
        '  grant: client_credentials',
        `  tokenUrl: '${oauth.url}/token'`,
        '  clientId: app',
        '  clientSecret: app-secret',
        '  tokenIn: query',
        '',
      ].join('\n'),
    )
    folder.write(
      'qm/broker.yaml',
      `name: Broker\nkind: mqtt\nurl: '${brokerUrl}'\nmqtt:\n  subscriptions: []\n  publishes: []\nstop:\n  durationMs: 200\n`,
    )
    const r = await folder.run('qm/broker.yaml')
    expect(r.code).toBe(1)
    expect(r.report.results.map((x) => [x.passed, x.error?.message])).toEqual([
      [false, expect.stringMatching(/an MQTT CONNECT has no query/)],
    ])
    expect(oauth.forms).toHaveLength(0)
    expect(connections).toHaveLength(0)
  })
})
