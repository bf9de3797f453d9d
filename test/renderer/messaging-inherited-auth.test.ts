import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MessagingAuthNote } from '../../src/renderer/mqtt/MessagingAuthNote'
import type { AppStore } from '../../src/renderer/store/app-store'
import { renderOverStore } from './render-over-store'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * The MQTT and Socket.IO Auth tab's note looks up the auth a saved request inherits, as the engine does (its
 * nearest folder's, else the collection's), over a real engine and a collection on disk: a folder's OAuth 2.0
 * token "As access_token in the query" is refused by MQTT and goes as Socket.IO's access_token parameter, and a
 * collection's Bearer is named as not sent, rather than one sentence about any folder's token for every request.
 */

const oauth = (tokenIn: 'query' | 'header'): string =>
  'auth:\n  type: oauth2\n  grant: client_credentials\n  tokenUrl: http://127.0.0.1:9/token\n  clientId: app\n' +
  `  clientSecret: s\n  scope: ''\n  clientAuth: basic\n  tokenIn: ${tokenIn}\n`

let engine: TestEngine
let store: AppStore
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fd-messaging-auth-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', "flightdeck: 1\nname: Plant\nauth:\n  type: bearer\n  token: '{{token}}'\n")
  file('iot/folder.yaml', oauth('query'))
  file('iot/header/folder.yaml', oauth('header'))
  const mqtt = (name: string) => `name: ${name}\nkind: mqtt\nurl: mqtt://127.0.0.1:1883\n`
  const io = (name: string) => `name: ${name}\nkind: socketio\nurl: http://127.0.0.1:3000\n`
  file('iot/sensors.yaml', mqtt('Sensors'))
  file('iot/chat.yaml', io('Chat'))
  file('iot/header/meters.yaml', mqtt('Meters'))
  file('iot/header/alerts.yaml', io('Alerts'))
  file('lobby.yaml', mqtt('Lobby'))
  engine = startEngine()
  store = engine.store()
  await openCollection(store, dir)
})

afterAll(async () => {
  await stopEngines()
  rmSync(dir, { recursive: true, force: true })
})

/** The note on the Auth tab of the saved request at `path`, as text. */
async function note(path: string, mode: 'mqtt' | 'socketio'): Promise<string> {
  await store.getState().openRequest(dir, path)
  const html = renderOverStore(store, createElement(MessagingAuthNote, { mode }))
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
}

describe('the messaging Auth note of a request that inherits', () => {
  it("says what its folder's OAuth 2.0 token in the query does: MQTT refuses, Socket.IO sends access_token", async () => {
    expect(await note('iot/sensors.yaml', 'mqtt')).toBe(
      'This request inherits OAuth 2.0 from its folder \u201ciot\u201d, whose token goes "As access_token in the query", ' +
        'and an MQTT CONNECT has no query: the open is refused unless Password is set. Choose "In the ' +
        'Authorization header" in its folder \u201ciot\u201d\'s Auth to send the token as the password.',
    )
    expect(await note('iot/chat.yaml', 'socketio')).toBe(
      "This request inherits OAuth 2.0 from its folder \u201ciot\u201d: its token is sent as the handshake's " +
        'access_token query parameter.',
    )
  })

  it('names the nearest folder that sets it, and a collection auth MQTT does not send', async () => {
    expect(await note('iot/header/meters.yaml', 'mqtt')).toBe(
      'This request inherits OAuth 2.0 from its folder \u201cheader\u201d: its token is sent as the password while ' +
        'Password is empty.',
    )
    expect(await note('iot/header/alerts.yaml', 'socketio')).toBe(
      'This request inherits OAuth 2.0 from its folder \u201cheader\u201d: its token is sent as Authorization: Bearer ' +
        'and as the payload\u2019s token.',
    )
    expect(await note('lobby.yaml', 'mqtt')).toBe(
      'This request inherits Bearer token auth from the collection, which MQTT does not send: put credentials in ' +
        'the user name and password above.',
    )
  })
})
