import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHandler } from 'graphql-sse/lib/use/http'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { startGraphqlServer } from '../fixtures/graphql-server'
import { startOAuthServer, TestBrowser, type OAuthServer } from '../fixtures/oauth-server'
import { makeService } from './helpers'
import { ticksSchema } from '../fixtures/graphql-ticks-schema'

/**
 * A GraphQL subscription step over a WebSocket whose own auth is OAuth 2.0's authorization code grant: the
 * sign-in goes to the person as an HTTP request's does (the CLI prints the URL; a test browser follows it), the
 * code comes back to the loopback listener, and the upgrade carries the token. Against the fixture authorization
 * server and graphql-ws's own server, which refuses an upgrade without a bearer token the authorization server
 * issued. Then a token the server refuses (a 401 upgrade, connection_error, a 4403 close, a 401 to an SSE
 * transport's stream) is dropped, so the next subscription gets a fresh one, as after an HTTP 401.
 */

let oauth: OAuthServer
let gql: Server
let upgrades: IncomingHttpHeaders[] = []
/** Set: the next bearer token the server sees is refused from then on (401), as a token revoked early. */
let revokeNext = false
const revoked = new Set<string>()
let wsBase = ''
let dir = ''
let configDir = ''
let out = ''

const schema = ticksSchema()

beforeAll(async () => {
  oauth = await startOAuthServer()
  gql = createServer((_, res) => res.writeHead(404).end())
  const wss = new WebSocketServer({ noServer: true })
  useServer({ schema }, wss)
  gql.on('upgrade', (req, socket, head) => {
    upgrades.push(req.headers)
    const bearer = req.headers.authorization ?? ''
    if (revokeNext && /^Bearer \S+$/.test(bearer)) {
      revokeNext = false
      revoked.add(bearer)
    }
    if (!/^Bearer \S+$/.test(bearer) || revoked.has(bearer)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  await new Promise<void>((r) => gql.listen(0, '127.0.0.1', r))
  wsBase = `ws://127.0.0.1:${(gql.address() as AddressInfo).port}`
  dir = mkdtempSync(join(tmpdir(), 'fd-gql-ws-oauth-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-gql-ws-oauth-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-gql-ws-oauth-out-'))
  mkdirSync(join(dir, 'subs'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: GraphQL OAuth\nvariables:\n  idp: ${oauth.url}\n  ws: ${wsBase}\n`,
  )
  mkdirSync(join(dir, 'machine'))
  writeFileSync(
    join(dir, 'machine', 'ticks.yaml'),
    [
      'name: Machine ticks',
      'kind: graphql',
      "url: '{{ws}}/graphql'",
      'graphql:',
      '  query: "subscription { ticks(to: 2) }"',
      '  transport: ws',
      'auth:',
      '  type: oauth2',
      '  grant: client_credentials',
      "  tokenUrl: '{{idp}}/token'",
      '  clientId: app',
      '  clientSecret: app-secret',
      '  clientAuth: basic',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'subs', 'ticks.yaml'),
    [
      'name: Ticks',
      'kind: graphql',
      "url: '{{ws}}/graphql'",
      'graphql:',
      '  query: "subscription { ticks(to: 3) }"',
      '  transport: ws',
      'auth:',
      '  type: oauth2',
      '  grant: authorization_code',
      "  authUrl: '{{idp}}/authorize'",
      "  tokenUrl: '{{idp}}/token'",
      '  clientId: spa',
      "  clientSecret: ''",
      '  scope: read',
      '  clientAuth: body',
      'assertions:',
      '  - kind: message-count',
      '    equals: 3',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await oauth.close()
  await new Promise<void>((r) => gql.close(() => r()))
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe('a GraphQL WebSocket step with OAuth 2.0 authorization code', () => {
  it('flightdeck run prints the sign-in URL, the person signs in, and the upgrade carries the token', async () => {
    upgrades = []
    const browser = new TestBrowser()
    let stderr = ''
    const io = {
      out: () => undefined,
      err: (text: string) => {
        stderr += text
        const url = /^\s+(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m.exec(text)?.[1]
        if (url) browser.open(url)
      },
    }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      code = await runRunCli([dir, 'subs', '--reporter', 'json', '--out', out, '--oauth-timeout', '60'], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    expect({
      code,
      stderr: stderr.slice(0, 2000),
      results: report.results.map((r) => [r.path, r.passed, r.error]),
    }).toMatchObject({ code: 0 })
    expect(browser.opened).toHaveLength(1)
    expect(oauth.forms.at(-1)).toMatchObject({ grant_type: 'authorization_code', client_id: 'spa' })
    expect(upgrades.map((h) => h.authorization)).toEqual([expect.stringMatching(/^Bearer \S+$/)])
  })

  it('the desktop app opens the sign-in page through openExternal, and the subscription goes out with the token', async () => {
    upgrades = []
    const browser = new TestBrowser()
    const service = makeService({
      openExternal: (url) => {
        browser.open(url)
        return Promise.resolve()
      },
    })
    try {
      const sent = await service.invoke('graphql.send', {
        url: `${wsBase}/graphql`,
        query: 'subscription { ticks(to: 3) }',
        transport: 'ws',
        headers: [],
        auth: {
          type: 'oauth2',
          grant: 'authorization_code',
          authUrl: `${oauth.url}/authorize`,
          tokenUrl: `${oauth.url}/token`,
          clientId: 'spa',
          clientSecret: '',
          scope: 'read',
          clientAuth: 'body',
        },
      })
      if (!sent.ok) throw new Error(sent.error.message)
      const outcome = await service.waitForStream(sent.value.sid)
      expect(outcome).toMatchObject({ final: { type: 'done', status: 101 }, handshake: { opened: true } })
      expect(browser.opened).toHaveLength(1)
      expect(upgrades.map((h) => h.authorization)).toEqual([expect.stringMatching(/^Bearer \S+$/)])
    } finally {
      await service.dispose()
    }
  })
})

/** The upgrades' bearer tokens and the grants of the token requests since `from`. */
const since = (from: { upgrades: number; forms: number }) => ({
  tokens: upgrades.slice(from.upgrades).map((h) => h.authorization),
  grants: oauth.forms.slice(from.forms).map((f) => f['grant_type']),
})

/** A subscription sent from the app with an OAuth 2.0 client credentials token; its outcome. */
async function sendWithToken(
  service: ReturnType<typeof makeService>,
  url: string,
  transport: 'ws' | 'legacy-ws' | 'transport-ws' | 'sse' | 'sse-single',
  connectionParams?: Record<string, unknown>,
  query = 'subscription { ticks(to: 2) }',
) {
  const sent = await service.invoke('graphql.send', {
    url,
    query,
    transport,
    headers: [],
    ...(connectionParams ? { connectionParams } : {}),
    auth: {
      type: 'oauth2',
      grant: 'client_credentials',
      tokenUrl: `${oauth.url}/token`,
      clientId: 'app',
      clientSecret: 'app-secret',
      scope: '',
      clientAuth: 'basic',
    },
  })
  if (!sent.ok) throw new Error(sent.error.message)
  return service.waitForStream(sent.value.sid)
}

describe('a GraphQL WebSocket upgrade answered 401 drops the OAuth token it carried, as an HTTP 401 does', () => {
  it('in a run: the next iteration fetches a fresh token once and subscribes with it', async () => {
    const from = { upgrades: upgrades.length, forms: oauth.forms.length }
    revokeNext = true
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    let code: number
    try {
      const io = { out: () => undefined, err: () => undefined }
      code = await runRunCli([dir, 'machine', '--iterations', '2', '--reporter', 'json', '--out', out], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    expect(report.results.map((r) => [r.iteration, r.passed, r.status])).toEqual([
      [0, false, 401],
      [1, true, 101],
    ])
    expect(code).toBe(1)
    const { tokens, grants } = since(from)
    // The refused access token is dropped; its refresh token is kept and used once, as after an HTTP 401.
    expect(grants).toEqual(['client_credentials', 'refresh_token'])
    expect(tokens).toHaveLength(2)
    expect(tokens[0]).not.toBe(tokens[1])
  })

  it('in the app: the next send fetches a fresh token once and subscribes with it', async () => {
    const from = { upgrades: upgrades.length, forms: oauth.forms.length }
    revokeNext = true
    const service = makeService()
    try {
      const refused = await sendWithToken(service, `${wsBase}/graphql`, 'ws')
      expect(refused).toMatchObject({ final: { type: 'error' }, handshake: { opened: false, status: 401 } })
      const fresh = await sendWithToken(service, `${wsBase}/graphql`, 'ws')
      expect(fresh).toMatchObject({ final: { type: 'done' }, handshake: { opened: true } })
    } finally {
      await service.dispose()
    }
    const { tokens, grants } = since(from)
    expect(grants).toEqual(['client_credentials', 'refresh_token'])
    expect(tokens).toHaveLength(2)
    expect(tokens[0]).not.toBe(tokens[1])
  })

  it("a server refusing the connection's credentials (legacy connection_error, graphql-ws 4403) drops it too", async () => {
    const gqlFixture = await startGraphqlServer()
    const service = makeService()
    try {
      const cases = [
        [gqlFixture.legacyUrl, 'legacy-ws', { type: 'error', code: 'auth' }],
        [gqlFixture.wsUrl, 'transport-ws', { type: 'error', code: 'protocol' }],
      ] as const
      for (const [url, transport, final] of cases) {
        const from = { upgrades: upgrades.length, forms: oauth.forms.length }
        // The fixture refuses the token `wrong` in the connection params, as a server checking credentials there.
        const count = 'subscription { count(to: 2) }'
        expect(await sendWithToken(service, url, transport, { token: 'wrong' }, count)).toMatchObject({
          final,
        })
        const fresh = await sendWithToken(service, url, transport, { token: 'right' }, count)
        expect(fresh).toMatchObject({ final: { type: 'done' } })
        expect([transport, since(from).grants]).toEqual([
          transport,
          [...(transport === 'legacy-ws' ? ['client_credentials'] : []), 'refresh_token'],
        ])
      }
    } finally {
      await service.dispose()
      await gqlFixture.close()
    }
  })
})

describe('a GraphQL over SSE stream answered 401 drops the OAuth token it carried', () => {
  it("single connection mode's GET and distinct mode's POST: the next send fetches a fresh token", async () => {
    // graphql-sse's own handler behind a bearer check; `revokeOn` revokes the token of the next such request.
    const seen: string[] = []
    const refusedTokens = new Set<string>()
    let revokeOn: string | null = null
    const handler = createHandler({ schema })
    const sse = createServer((req, res) => {
      const bearer = req.headers.authorization ?? ''
      if (revokeOn === req.method && /^Bearer \S+$/.test(bearer)) {
        revokeOn = null
        refusedTokens.add(bearer)
      }
      const refused = !/^Bearer \S+$/.test(bearer) || refusedTokens.has(bearer)
      seen.push(`${req.method} ${refused ? 401 : 'ok'}`)
      if (refused) {
        req.resume()
        res.writeHead(401, { 'content-length': '0' }).end()
        return
      }
      void handler(req, res)
    })
    await new Promise<void>((r) => sse.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(sse.address() as AddressInfo).port}/graphql`
    const service = makeService()
    try {
      // A reservation refused for its credentials says so (it read as a server without the mode).
      revokeOn = 'PUT'
      await expect(sendWithToken(service, url, 'sse-single')).rejects.toThrow(
        "The server refused the stream reservation (PUT) with 401: it did not accept the request's credentials",
      )
      const cases = [
        ['sse-single', 'GET'],
        ['sse', 'POST'],
      ] as const
      for (const [transport, method] of cases) {
        seen.length = 0
        const from = { upgrades: upgrades.length, forms: oauth.forms.length }
        revokeOn = method
        const first = await sendWithToken(service, url, transport)
        expect([transport, first.final.type]).toEqual([transport, 'error'])
        const fresh = await sendWithToken(service, url, transport)
        expect([transport, fresh.final.type, seen.filter((r) => r.startsWith(method))]).toEqual([
          transport,
          'done',
          [`${method} 401`, `${method} ok`],
        ])
        expect([transport, since(from).grants.slice(-1)]).toEqual([transport, ['refresh_token']])
      }
    } finally {
      await service.dispose()
      sse.closeAllConnections()
      await new Promise<void>((r) => sse.close(() => r()))
    }
  })
})
