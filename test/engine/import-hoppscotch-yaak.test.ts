import { beforeEach, describe, expect, it } from 'vitest'
import { loadCollection } from '../../src/engine/collections/loader'
import { importHoppscotchCollection } from '../../src/engine/importers/hoppscotch'
import type { EngineService } from '../../src/engine/service'
import {
  fixtureText,
  importText,
  multipartFields,
  savedRequest,
  sendSaved,
  useImportTarget,
  type Stub,
} from './import-formats-helpers'

/** Hoppscotch collections and environments, and Yaak exports: counts, and what arrives at a local stub. */

const target = useImportTarget('fd-hopp')
let stub: Stub
let dir: string
let service: EngineService
beforeEach(() => {
  ;({ stub, dir, service } = target)
  stub.arrived.length = 0
})

async function open(): Promise<void> {
  const r = await service.invoke('collection.open', { dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
}

describe('Hoppscotch', () => {
  it('a collection and its environments come over, and send what Hoppscotch sends', async () => {
    const report = await importText(fixtureText('hoppscotch-collection.json', stub.url), dir)
    expect(report).toMatchObject({ format: 'hoppscotch', requests: 4, folders: 1, environments: 0 })
    expect(report.unmapped.join('\n')).toContain(
      'Queue / Remove level: scripts kept in the request file, not run',
    )
    // Through the service, so the secret lands in the store its sends read.
    const envs = await service.invoke('import.run', {
      format: 'auto',
      text: fixtureText('hoppscotch-environments.json', stub.url),
      into: dir,
    })
    expect(envs.ok && envs.value).toMatchObject({ format: 'hoppscotch-env', environments: 2 })
    expect(envs.ok && envs.value.unmapped).toEqual([
      'environment Production: secret variable "apiKey" has no value in the file; set it before sending',
    ])
    const { info } = await loadCollection(dir)
    expect(info.name).toBe('Level Queue API')
    expect(info.environments.map((e) => e.name).sort()).toEqual(['Local', 'Production'])
    const remove = await savedRequest(dir, 'queue/remove-level.yaml')
    expect(remove.url).toBe('{{baseUrl}}/api/queue/remove?force=true')
    expect(remove.headers[1]).toEqual({ name: 'X-Debug', value: '1', enabled: false })
    expect(remove.scripts).toEqual({
      test: 'pw.test("Status code is 200", ()=> { pw.expect(pw.response.status).toBe(200); });',
      translated: false,
    })

    await open()
    const a = await sendSaved(service, stub, dir, 'queue/remove-level.yaml', 'local')
    expect(a.method).toBe('POST')
    expect(a.url).toBe('/api/queue/remove?force=true')
    expect(a.headers['authorization']).toBe('Bearer t-local')
    expect(a.headers['x-client']).toBe('hopp')
    expect(a.headers['x-debug']).toBeUndefined()
    expect(JSON.parse(a.body)).toEqual({ id: '109817131' })
    const note = await sendSaved(service, stub, dir, 'queue/add-note.yaml', 'local')
    expect(note.method).toBe('PUT')
    expect(note.body).toBe('level=109817131&note=hello+world')
    const attach = await sendSaved(service, stub, dir, 'queue/attach.yaml', 'local')
    expect(attach.headers['authorization']).toBe(`Basic ${Buffer.from('ada:hunter2').toString('base64')}`)
    expect(multipartFields(attach)).toEqual({ kind: 'text' })
    const clear = await sendSaved(service, stub, dir, 'clear-queue.yaml', 'production')
    expect(clear.method).toBe('DELETE')
    expect(clear.headers['x-api-key']).toBe('')
  })
})

describe('Yaak', () => {
  it('an export comes over with its folders, environments and bodies, and sends what Yaak sends', async () => {
    const report = await importText(fixtureText('yaak-export.json', stub.url), dir)
    expect(report).toMatchObject({ format: 'yaak', requests: 6, folders: 1, environments: 1 })
    const u = report.unmapped.join('\n')
    expect(u).toContain('1 gRPC request uses server reflection: Yaak keeps the .proto files picked')
    expect(u).toContain('variable "old" is switched off in Yaak')
    // Copied from DevTools into Yaak's WebSocket request: Connect would refuse them; the handshake writes its own.
    expect(u).toContain(
      'Live: WebSocket headers Connection, Sec-WebSocket-Key left out: the handshake writes them itself (a new key for each connection)',
    )
    const { info } = await loadCollection(dir)
    expect(info.name).toBe('Pet Store')
    // sortPriority order: Health (none: 0), Pets (1000), then Adopt, Graph, Live.
    expect(info.root.children.map((c) => c.name)).toEqual(['Health', 'Pets', 'Adopt', 'Graph', 'Live'])
    // The gRPC request is written as one (its call to a real server: grpc-import.test.ts).
    expect(await savedRequest(dir, 'health.yaml')).toMatchObject({
      kind: 'grpc',
      url: 'grpc://127.0.0.1:1',
      grpc: { method: 'grpc.health.v1.Health/Check' },
    })
    expect((await savedRequest(dir, 'live.yaml')).headers).toEqual([
      { name: 'X-Room', value: 'lobby', enabled: true },
    ])
    const pets = info.root.children[1]
    expect(pets?.type === 'folder' && pets.children.map((c) => c.name)).toEqual(['Add pet', 'Get pet'])

    await open()
    const get = await sendSaved(service, stub, dir, 'pets/get-pet.yaml', 'dev')
    expect(get.url).toBe('/pets/41?fields=name')
    expect(get.headers['authorization']).toBe('Bearer t-dev')
    const add = await sendSaved(service, stub, dir, 'pets/add-pet.yaml', 'dev')
    expect(JSON.parse(add.body)).toEqual({ name: 'Rex', id: 41 })
    const adopt = await sendSaved(service, stub, dir, 'adopt.yaml', 'dev')
    expect(adopt.body).toBe('pet=41')
    expect(adopt.headers['authorization']).toBe(`Basic ${Buffer.from('ada:pw').toString('base64')}`)
    // Yaak's GraphQL body is a GraphQL request here, and sends the same POST.
    expect((await savedRequest(dir, 'graph.yaml')).kind).toBe('graphql')
    const graph = await sendSaved(service, stub, dir, 'graph.yaml', 'dev')
    expect(JSON.parse(graph.body)).toEqual({ query: 'query { pet(id: 41) { name } }', variables: { x: 1 } })
  })
})

describe('Hoppscotch OAuth 2.0', () => {
  it("a collection's and a request's oauth-2 auth become OAuth 2.0 auth of the same grant", () => {
    const oauth = (grantTypeInfo: object, addTo = 'HEADERS') => ({
      authType: 'oauth-2',
      authActive: true,
      grantTypeInfo,
      addTo,
    })
    const plan = importHoppscotchCollection({
      v: 6,
      name: 'Billing',
      folders: [],
      auth: oauth({
        grantType: 'CLIENT_CREDENTIALS',
        authEndpoint: '<<idp>>/token',
        clientID: 'svc',
        clientSecret: '<<secret>>',
        scopes: 'read',
        token: '',
        clientAuthentication: 'AS_BASIC_AUTH_HEADERS',
      }),
      requests: [
        {
          v: '6',
          name: 'Me',
          method: 'GET',
          endpoint: 'http://127.0.0.1:1/me',
          params: [],
          headers: [],
          body: { contentType: null, body: null },
          requestVariables: [],
          auth: oauth(
            {
              grantType: 'AUTHORIZATION_CODE',
              authEndpoint: 'http://127.0.0.1:1/authorize',
              tokenEndpoint: 'http://127.0.0.1:1/token',
              clientID: 'web',
              clientSecret: '',
              scopes: 'openid',
              token: '',
              isPKCE: true,
              codeVerifierMethod: 'S256',
            },
            'QUERY_PARAMS',
          ),
        },
      ],
    })
    expect(plan.auth).toEqual({
      type: 'oauth2',
      grant: 'client_credentials',
      tokenUrl: '{{idp}}/token',
      clientId: 'svc',
      clientSecret: '{{secret}}',
      scope: 'read',
      clientAuth: 'basic',
    })
    const me = plan.children[0]
    expect(me?.type === 'request' && me.request.auth).toEqual({
      type: 'oauth2',
      grant: 'authorization_code',
      tokenUrl: 'http://127.0.0.1:1/token',
      authUrl: 'http://127.0.0.1:1/authorize',
      clientId: 'web',
      clientSecret: '',
      scope: 'openid',
      clientAuth: 'body',
      pkce: 'S256',
      // addTo: QUERY_PARAMS
      tokenIn: 'query',
    })
    // Hoppscotch's sign-in comes back to its own page; the person must register the loopback one.
    expect(plan.unmapped).toEqual([
      "Me: OAuth 2.0 sign-in comes back to Flightdeck at http://127.0.0.1:<port>/callback, not to Hoppscotch's page: register http://127.0.0.1/callback as a redirect URI with the provider (any port, RFC 8252), or set the Redirect URI in the Auth tab to one it has",
    ])
  })
})
