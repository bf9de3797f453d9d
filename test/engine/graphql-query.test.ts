import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { CommandRequest } from '../../src/shared/contract'
import type { GraphqlEvent, TimelineEvent } from '../../src/shared/timeline'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { makeService } from './helpers'
import { record, type Recorder } from './stream-helpers'

let server: GraphqlFixture
let service: EngineService
let rec: Recorder

beforeAll(async () => {
  server = await startGraphqlServer()
  service = makeService()
  rec = record(service)
})
afterAll(async () => {
  rec.stop()
  await service.dispose()
  await server.close()
})

type Send = CommandRequest<'graphql.send'>

async function query(extra: Partial<Send>): Promise<{ sid: string; result: GraphqlEvent; body: unknown }> {
  const r = await service.invoke('graphql.send', {
    url: server.url,
    query: '{ hello }',
    transport: 'http',
    headers: [],
    ...extra,
  })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  const sid = r.value.sid
  const [result] = (await rec.until(sid, (e) => e.type === 'graphql')) as GraphqlEvent[]
  const exchange = await service.http.waitFor(sid)
  const final = exchange.final
  if (final.type !== 'done') throw new Error(`expected done, got ${final.type}`)
  const chunk = await service.invoke('body.read', {
    bodyId: final.body.id,
    offset: 0,
    length: 1 << 20,
    encoding: 'utf8',
  })
  if (!chunk.ok) throw new Error(chunk.error.message)
  return { sid, result: result as GraphqlEvent, body: JSON.parse(chunk.value.data) }
}

const queuedOf = (sid: string) =>
  rec.of(sid).find((e): e is Extract<TimelineEvent, { type: 'queued' }> => e.type === 'queued')

describe('GraphQL queries over HTTP', () => {
  it('runs a named query by POST, names the row after the operation, and reports no errors', async () => {
    const { sid, result, body } = await query({ query: 'query Greeting { hello }' })
    expect(body).toEqual({ data: { hello: 'world' } })
    expect(queuedOf(sid)?.name).toBe('query Greeting')
    expect(queuedOf(sid)?.method).toBe('POST')
    expect(result).toMatchObject({ operation: 'query', name: 'Greeting', hasData: true, errorCount: 0 })
    const sent = rec.of(sid).find((e) => e.type === 'request-sent')
    const accept =
      sent?.type === 'request-sent' ? sent.headers.find(([k]) => k.toLowerCase() === 'accept') : undefined
    expect(accept?.[1]).toContain('application/graphql-response+json')
  })

  it('marks a 200 whose result has errors, with message, path and locations', async () => {
    const { sid, result } = await query({
      query: 'query Who($id: Int!) {\n  user(id: $id) { name }\n}',
      variables: { id: 0 },
    })
    const done = rec.of(sid).find((e) => e.type === 'done')
    expect(done?.type === 'done' && done.status).toBe(200)
    expect(result.errorCount).toBe(1)
    expect(result.hasData).toBe(true)
    expect(result.errors[0]).toEqual({
      message: 'No user with id 0',
      path: ['user'],
      locations: [{ line: 2, column: 3 }],
    })
  })

  it('passes variables and sends a query by GET', async () => {
    const { sid, body } = await query({
      query: 'query U($id: Int!) { user(id: $id) { id name } }',
      variables: { id: 7 },
      method: 'GET',
    })
    expect(body).toEqual({ data: { user: { id: 7, name: 'user 7' } } })
    expect(queuedOf(sid)?.method).toBe('GET')
  })

  it('runs a mutation, and refuses one by GET', async () => {
    const { sid, result } = await query({ query: 'mutation Bump { bump }' })
    expect(queuedOf(sid)?.name).toBe('mutation Bump')
    expect(result.operation).toBe('mutation')
    const r = await service.invoke('graphql.send', {
      url: server.url,
      query: 'mutation { bump }',
      transport: 'http',
      method: 'GET',
      headers: [],
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/mutation cannot be sent with GET/)
  })

  it('asks for an operation name when the document has several, and names them', async () => {
    const doc = 'query A { hello }\nquery B { boom }'
    const r = await service.invoke('graphql.send', {
      url: server.url,
      query: doc,
      transport: 'http',
      headers: [],
    })
    expect(r.ok).toBe(false)
    if (!r.ok)
      expect(r.error.message).toBe('The document has 2 operations: choose one with the operation name (A, B)')
    const missing = await service.invoke('graphql.send', {
      url: server.url,
      query: doc,
      operationName: 'C',
      transport: 'http',
      headers: [],
    })
    expect(!missing.ok && missing.error.message).toBe('The document has no operation named C')
    const { result } = await query({ query: doc, operationName: 'B' })
    expect(result).toMatchObject({ name: 'B', hasData: true, errorCount: 1 })
  })

  it('refuses a document that does not parse, saying where', async () => {
    const r = await service.invoke('graphql.send', {
      url: server.url,
      query: '{ hello',
      transport: 'http',
      headers: [],
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/does not parse \(line 1, column 8\)/)
  })

  it('refuses a subscription over plain HTTP', async () => {
    const r = await service.invoke('graphql.send', {
      url: server.url,
      query: 'subscription { count(to: 1) }',
      transport: 'http',
      headers: [],
    })
    expect(!r.ok && r.error.message).toMatch(/needs a streaming transport/)
  })

  it('sends headers as any request does', async () => {
    const { body } = await query({
      query: '{ echoHeader(name: "x-token") }',
      headers: [{ name: 'X-Token', value: 'abc', enabled: true }],
    })
    expect(body).toEqual({ data: { echoHeader: 'abc' } })
  })

  it('answers introspection (the schema with its descriptions)', async () => {
    const { getIntrospectionQuery } = await import('graphql')
    const { body } = await query({ query: getIntrospectionQuery({ descriptions: true }) })
    const types = (body as { data: { __schema: { types: { name: string; description: string | null }[] } } })
      .data.__schema.types
    expect(types.find((t) => t.name === 'User')?.description).toBe('A user of the test server.')
  })

  it('says when the answer is not a GraphQL result', async () => {
    const { result } = await query({ url: server.url.replace('/graphql', '/nothing-here') }).catch(
      async () => {
        // yoga answers 404 with an empty body for an unknown path: read the event directly.
        const r = await service.invoke('graphql.send', {
          url: server.url.replace('/graphql', '/nothing-here'),
          query: '{ hello }',
          transport: 'http',
          headers: [],
        })
        if (!r.ok) throw new Error(r.error.message)
        const [e] = (await rec.until(r.value.sid, (ev) => ev.type === 'graphql')) as GraphqlEvent[]
        return { result: e as GraphqlEvent }
      },
    )
    expect(result.note).toMatch(/not (JSON|a GraphQL result)/)
    expect(result.errorCount).toBe(0)
  })
})
