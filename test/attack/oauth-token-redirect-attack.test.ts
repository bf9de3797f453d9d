import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSpec } from '../../src/shared/collection'
import type { EngineService } from '../../src/engine/service'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server'
import { makeService } from '../engine/helpers'

/**
 * A token endpoint that answers its token request with a redirect to another origin. A 307 or 308 keeps the
 * method and body, and the engine followed it: the form, with the user's password and the client secret, went on
 * to whoever the endpoint named, and the token that origin gave was used, for an HTTP send and a gRPC call
 * alike. A token request is now never sent on: the redirect is the send's error, naming where it pointed.
 */

type OAuth2 = Extract<AuthSpec, { type: 'oauth2' }>

let elsewhere: OAuthServer
let redirector: Server
let grpcServer: GrpcTestServer
let service: EngineService

/** The password grant, its token URL answering `status` with a Location on `elsewhere`. */
function auth(status: number): OAuth2 {
  const port = (redirector.address() as AddressInfo).port
  return {
    type: 'oauth2',
    grant: 'password',
    tokenUrl: `http://localhost:${port}/token?status=${status}`,
    clientId: 'app',
    clientSecret: 'app-secret',
    scope: 'read',
    clientAuth: 'body',
    username: 'alice',
    password: 'wonderland',
  }
}

const refusal = (status: number): string =>
  `OAuth 2.0 token endpoint answered ${status}, a redirect to ${elsewhere.url}/token: a token request goes to the token URL alone`

beforeAll(async () => {
  elsewhere = await startOAuthServer()
  redirector = createServer((req, res) => {
    req.resume()
    const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status'))
    res.writeHead(status, { location: `${elsewhere.url}/token` }).end()
  })
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve))
  grpcServer = await startGrpcServer()
  service = makeService({ watchCollections: false, persistWorkspace: false })
})

afterAll(async () => {
  await service.dispose()
  await grpcServer.close()
  await elsewhere.close()
  await new Promise<void>((resolve) => redirector.close(() => resolve()))
})

describe('a token endpoint that redirects to another origin', () => {
  it('an HTTP send: the form goes nowhere else, and the send says why', async () => {
    for (const status of [307, 308]) {
      const sent = await service.invoke('request.send', {
        request: {
          method: 'GET',
          url: `${elsewhere.url}/whoami`,
          headers: [],
          body: { kind: 'none' },
          options: {},
        },
        auth: auth(status),
      })
      expect(sent.ok ? 'sent' : sent.error.message).toContain(refusal(status))
    }
    expect(elsewhere.forms).toEqual([])
  })

  it('a gRPC call: no token is fetched elsewhere and nothing reaches the gRPC server', async () => {
    const opened = await service.invoke('grpc.open', {
      target: grpcServer.target,
      metadata: [],
      schema: { kind: 'reflection' },
      tls: { plaintext: true },
      auth: auth(308),
      method: 'flightdeck.test.Echo/Say',
      messages: ['{"text": "hi"}'],
    })
    expect(opened.ok ? 'opened' : opened.error.message).toContain(refusal(308))
    expect(elsewhere.forms).toEqual([])
    expect(grpcServer.calls).toEqual([])
  })
})
