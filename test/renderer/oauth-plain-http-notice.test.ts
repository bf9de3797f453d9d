import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StatusLine } from '../../src/renderer/details/StatusLine'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { until } from './engine-client'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines } from './store-over-engine'

/**
 * A token URL on plain http to a host that is not loopback sends the client secret in clear: the token request's
 * row says so above every tab, where the empty-secret notice sits. The server listens on 127.0.0.1; `0.0.0.0` (not
 * loopback by name) reaches it on this machine.
 */

let server: OAuthServer

beforeAll(async () => {
  server = await startOAuthServer()
})
afterAll(async () => {
  await stopEngines()
  server.close()
})

async function tokenRowHtml(tokenHost: string): Promise<string> {
  const engine = startEngine()
  const store = engine.store()
  const port = new URL(server.url).port
  const sent = await engine.service.invoke('request.send', {
    request: {
      method: 'GET',
      url: `${server.url}/protected`,
      headers: [],
      body: { kind: 'none' },
      options: {},
    },
    auth: {
      type: 'oauth2',
      grant: 'client_credentials',
      tokenUrl: `http://${tokenHost}:${port}/token`,
      clientId: 'app',
      clientSecret: 'app-secret',
      scope: 'read',
      clientAuth: 'body',
    },
  })
  if (!sent.ok) throw new Error(sent.error.message)
  await until(() =>
    Object.values(store.getState().timeline.rows).some((r) => r.queued.url.endsWith('/token') && r.terminal),
  )
  const row = Object.values(store.getState().timeline.rows).find((r) => r.queued.url.endsWith('/token'))
  if (!row) throw new Error('no token row')
  return renderOverStore(store, createElement(StatusLine, { row }))
}

describe('the token request row of a plain-http token URL', () => {
  it('to a host that is not loopback says the client secret crossed the network unencrypted', async () => {
    const html = await tokenRowHtml('0.0.0.0')
    expect(html).toContain('role="note" aria-label="Notice"')
    expect(html).toContain(
      'token URL is plain http to a non-loopback host: the client secret crossed the network unencrypted',
    )
  })

  it('to localhost says nothing', async () => {
    expect(await tokenRowHtml('localhost')).not.toContain('aria-label="Notice"')
  })
})
