import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server as SocketIoServer } from 'socket.io'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectionRunFolder, type CollectionRunFolder } from '../engine/collection-run-folder'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { startSilentMqttBroker, type SilentMqttBroker } from '../fixtures/silent-mqtt-broker'

/**
 * `flightdeck run`: an MQTT or Socket.IO step under its folder's OAuth 2.0 fetches the token only when it may send
 * it. An MQTT step with a password of its own (CONNECT carries that, not the token) asked the token endpoint for a
 * credential it then did not send. A Socket.IO step with its own Authorization header fetched none already (as
 * an HTTP request's own header): kept so. The token endpoint stub counts its requests.
 */

let oauth: OAuthServer
let broker: SilentMqttBroker
let http: ReturnType<typeof createServer>
let io: SocketIoServer
let ioUrl: string
const handshakes: { header: string; token: unknown }[] = []
let folder: CollectionRunFolder

beforeAll(async () => {
  oauth = await startOAuthServer()
  broker = await startSilentMqttBroker()
  http = createServer()
  io = new SocketIoServer(http)
  io.use((socket, next) => {
    handshakes.push({
      header: socket.handshake.headers.authorization ?? '',
      token: socket.handshake.auth['token'],
    })
    next()
  })
  io.on('connection', (socket) => socket.emit('hello', 'in'))
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  ioUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  folder = collectionRunFolder('fd-run-token-unsent')
  folder.write('collection.yaml', 'flightdeck: 1\nname: Unsent\n')
  folder.write(
    'f/folder.yaml',
    [
      'auth:',
      '  type: oauth2',
      '  grant: client_credentials',
      `  tokenUrl: '${oauth.url}/token'`,
      '  clientId: app',
      '  clientSecret: app-secret',
      '',
    ].join('\n'),
  )
  folder.write(
    'f/broker.yaml',
    `name: Broker\nkind: mqtt\nurl: '${broker.url}'\nmqtt:\n  options:\n    username: svc\n    password: own-secret\n  subscriptions: []\n  publishes: []\nstop:\n  durationMs: 200\n`,
  )
  const step = (headers: string, auth: string): string =>
    `name: IO\nkind: socketio\nurl: '${ioUrl}'\n${headers}socketio:\n  auth: '${auth}'\n  listen: [hello]\n  emits: []\nstop:\n  count: 1\n`
  const ownHeader = 'headers:\n  - name: Authorization\n    value: Bearer own\n'
  folder.write('f/io-own.yaml', step(ownHeader, '{"token":"own"}'))
})

afterAll(async () => {
  await io.close()
  await broker.close()
  await oauth.close()
  folder.remove()
})

describe('flightdeck run: a messaging step under OAuth 2.0 with credentials of its own', () => {
  it('an MQTT step with its own password fetches no token', async () => {
    oauth.reset()
    const r = await folder.run('f/broker.yaml')
    expect(r.report.results.map((x) => [x.passed, x.error?.message])).toEqual([[true, undefined]])
    expect(r.code).toBe(0)
    expect(oauth.forms).toHaveLength(0)
  })

  it('a Socket.IO step with its own Authorization header and payload token fetches none', async () => {
    oauth.reset()
    handshakes.length = 0
    const r = await folder.run('f/io-own.yaml')
    expect(r.report.results.map((x) => [x.passed, x.error?.message])).toEqual([[true, undefined]])
    expect(oauth.forms).toHaveLength(0)
    expect(handshakes).toEqual([{ header: 'Bearer own', token: 'own' }])
  })
})
