import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { savedToSpec, type SavedRequest } from '../../src/shared/collection'
import type { GraphqlTransport } from '../../src/shared/graphql'
import { collectionRunFolder, type CollectionRunFolder } from './collection-run-folder'

/**
 * `savedToSpec` of a saved GraphQL request is the request its transport and method carry it in: it gave the POST
 * of the parameters for every one (a GET query, an SSE subscription, a WebSocket's upgrade), which the runner then
 * replaced, so anything reading it before (or instead of) the runner read a request that is never sent.
 */

const graphql = (method: string, transport?: GraphqlTransport): SavedRequest => ({
  name: 'Q',
  description: '',
  kind: 'graphql',
  method,
  url: 'http://127.0.0.1:1/graphql',
  headers: [{ name: 'X-Team', value: '{{team}}', enabled: true }],
  body: { kind: 'none' },
  auth: { type: 'inherit' },
  options: {},
  protocols: [],
  messages: [],
  graphql: {
    query: 'query ($id: ID) { user(id: $id) { name } }',
    variables: '{"id": "{{id}}"}',
    ...(transport ? { transport } : {}),
  },
})

describe('savedToSpec of a saved GraphQL request', () => {
  it('a GET query is a GET of the endpoint with no body (its query string is put together once resolved)', () => {
    const spec = savedToSpec(graphql('GET'))
    expect(spec.method).toBe('GET')
    expect(spec.url).toBe('http://127.0.0.1:1/graphql')
    expect(spec.body).toEqual({ kind: 'none' })
    expect(spec.headers.map((h) => h.name)).toEqual(['Accept', 'X-Team'])
  })

  it('a POST query is the POST of its parameters; SSE asks for an event stream; a WebSocket is its upgrade', () => {
    const post = savedToSpec(graphql('POST'))
    expect(post.method).toBe('POST')
    expect(post.body).toEqual({
      kind: 'json',
      text: '{"query":"query ($id: ID) { user(id: $id) { name } }","variables":{"id": "{{id}}"}}',
    })
    const sse = savedToSpec(graphql('POST', 'sse'))
    expect([sse.method, sse.headers[0]?.value, sse.body.kind]).toEqual(['POST', 'text/event-stream', 'json'])
    const ws = savedToSpec(graphql('POST', 'transport-ws'))
    expect([ws.method, ws.body.kind]).toEqual(['GET', 'none'])
    const single = savedToSpec(graphql('POST', 'sse-single'))
    expect([single.method, single.body.kind]).toEqual(['POST', 'none'])
  })
})

describe('flightdeck run of a GraphQL GET saved request', () => {
  let server: Server
  let url: string
  let folder: CollectionRunFolder
  const seen: { method: string; url: string; body: string }[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8').on('data', (c: string) => (body += c))
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body })
        res.setHeader('content-type', 'application/json')
        res.end('{"data":{"user":{"name":"Ada"}}}')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    folder = collectionRunFolder('fd-graphql-get-run')
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
    folder.remove()
  })

  it('sends a GET with the query and variables, resolved, in the query string and no body', async () => {
    folder.write('collection.yaml', "flightdeck: 1\nname: g\nvariables:\n  id: 'a&b=1'\n")
    folder.write(
      'user.yaml',
      `name: User\nkind: graphql\nmethod: GET\nurl: ${url}/graphql\ngraphql:\n  query: 'query ($id: ID) { user(id: $id) { name } }'\n  variables: '{"id": "{{id}}"}'\nassertions:\n  - { kind: json, path: $.data.user.name, equals: Ada }\n`,
    )
    const r = await folder.run('user.yaml')
    expect(r.code, r.text).toBe(0)
    expect(seen).toHaveLength(1)
    const got = seen[0] as { method: string; url: string; body: string }
    expect(got.method).toBe('GET')
    expect(got.body).toBe('')
    const query = new URL(got.url, url).searchParams
    expect(query.get('query')).toBe('query ($id: ID) { user(id: $id) { name } }')
    expect(JSON.parse(query.get('variables') ?? '')).toEqual({ id: 'a&b=1' })
  })
})
