import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadedSchema } from '../../src/renderer/graphql/graphql-slice'
import { schemaStatus } from '../../src/renderer/graphql/SchemaPanel'
import { introspectInto, schemaSizeProblem, workerKey } from '../../src/renderer/graphql/schema-loading'
import { schemaClient } from '../../src/renderer/graphql/schema-client'
import { startBigSchemaServer, type BigSchemaFixture } from '../fixtures/graphql-big-schema'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { IN_PROCESS_CASE_TIMEOUT_MS, withinCpu } from '../helpers/cpu-bound'
import { engineClient } from './engine-client'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Fetching a schema, again and again, against real servers: a retry that fails the same way says it tried
 * (how many times in a row, when last) instead of showing the same words as before; a refresh that fails keeps
 * the schema loaded before and says so; a schema too large is refused with its size; a 5,000-type schema read
 * in pieces arrives whole. (Completion and validation: graphql-completion.test.ts, and in the browser
 * test/e2e/graphql-big-schema.spec.ts.)
 *
 * The 5,000-type server takes ~3 s of CPU to build its schema and the fetch about as much again: on a loaded
 * two-core runner (load 23) that was over 20 s of wall time, so the large schema is made only for the cases that
 * read it and their waits are bounded by the CPU this process spends (test/helpers/cpu-bound.ts).
 */

let engine: TestEngine
let gql: GraphqlFixture
let big: BigSchemaFixture
let closedUrl = ''

beforeAll(async () => {
  engine = startEngine()
  gql = await startGraphqlServer()
  // A port that was just listened on and is closed: connections to it are refused.
  const probe: Server = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/graphql`
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})

afterAll(async () => {
  await stopEngines()
  await gql?.close()
  await big?.close()
})

describe('Refresh schema', () => {
  it('after a failed fetch tries again and says it did', async () => {
    const store = engine.store()
    store.getState().setKind('graphql')
    store.getState().setUrl(closedUrl)
    await store.getState().fetchSchema(closedUrl)
    const first = store.getState().graphqlSchemas[closedUrl]
    expect(first).toMatchObject({ state: 'error', attempts: 1 })
    const once = schemaStatus(first, '')
    expect(once).toMatch(/ECONNREFUSED|refused/i)
    expect(once).not.toMatch(/times in a row/)

    await store.getState().fetchSchema(closedUrl, true)
    const second = store.getState().graphqlSchemas[closedUrl]
    expect(second).toMatchObject({ state: 'error', attempts: 2 })
    // The same failure, but the words changed: the person sees the retry happened.
    expect(schemaStatus(second, '')).toMatch(/ \(failed 2 times in a row, last at \d\d:\d\d:\d\d\)$/)
    expect(schemaStatus(second, '')).not.toBe(once)
  })

  it('that fails keeps the schema loaded before, and says so', async () => {
    const server = await startGraphqlServer()
    const store = engine.store()
    store.getState().setKind('graphql')
    store.getState().setUrl(server.url)
    await store.getState().fetchSchema(server.url)
    const ready = store.getState().graphqlSchemas[server.url]
    if (ready?.state !== 'ready') throw new Error(JSON.stringify(ready))
    expect(schemaStatus(ready, '')).toMatch(/^Schema: \d+ types$/)

    await server.close()
    await store.getState().fetchSchema(server.url, true)
    const failed = store.getState().graphqlSchemas[server.url]
    expect(failed).toMatchObject({ state: 'error', attempts: 1 })
    // Completion goes on with the schema from before: it is still in the worker under its key.
    expect(loadedSchema(failed)?.key).toBe(ready.key)
    expect(schemaStatus(failed, '')).toMatch(/; still using the schema loaded at \d\d:\d\d:\d\d$/)
    const user = await schemaClient().call('type', { key: ready.key, name: 'User' })
    expect(user?.fields.map((f) => f.name)).toEqual(['id', 'name'])
  })
})

describe('a large schema', () => {
  beforeAll(async () => {
    big = await withinCpu('the 5,000-type schema server', startBigSchemaServer(5000))
  }, IN_PROCESS_CASE_TIMEOUT_MS)

  it(
    'of 5,000 types arrives whole, read in pieces',
    async () => {
      const store = engine.store()
      store.getState().setKind('graphql')
      store.getState().setUrl(big.url)
      await withinCpu('the schema fetch', store.getState().fetchSchema(big.url))
      const state = store.getState().graphqlSchemas[big.url]
      if (state?.state !== 'ready') throw new Error(JSON.stringify(state))
      expect(state.summary.typeCount).toBe(big.namedTypes)
      expect(state.summary.typeNames).toHaveLength(500)
      const query = await schemaClient().call('type', { key: state.key, name: 'Query' })
      expect(query?.fields).toHaveLength(5001)
      expect(query?.fields.at(-1)).toMatchObject({
        name: 'type4999',
        type: 'Type4999',
        args: [{ type: 'ID!' }],
      })
    },
    IN_PROCESS_CASE_TIMEOUT_MS,
  )
})

describe('a schema', () => {
  it(
    'over the limit is refused, saying its size and the limit',
    async () => {
      expect(schemaSizeProblem(300 * 1024 * 1024)).toBe(
        'Schema not loaded: the response is 300 MB, over the 256 MB a schema may be',
      )
      // The same cut on a real answer, with a limit below its size. Its own server: a connection the 5,000-type
      // server kept alive (its idle timeout is 5 s) may be closed as the query is sent on it, and a POST is
      // rightly not sent again.
      const store = engine.store()
      store.getState().setKind('graphql')
      store.getState().setUrl(gql.url)
      const res = await withinCpu(
        'the introspection query',
        engineClient(engine.service).invoke('graphql.send', {
          url: gql.url,
          query: '{ __schema { types { name fields { name } } } }',
          transport: 'http',
          headers: [],
        }),
      )
      if (!res.ok) throw new Error(res.error.message)
      await expect(
        introspectInto(store.getState, engineClient(engine.service), res.value.sid, workerKey(gql.url), 1024),
      ).rejects.toThrow(/^Schema not loaded: the response is [\d.]+ KB, over the 1\.0 KB a schema may be$/)
    },
    IN_PROCESS_CASE_TIMEOUT_MS,
  )
})
