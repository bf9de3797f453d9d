import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSchema, createYoga } from 'graphql-yoga'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestPki } from '../fixtures/certs'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A saved GraphQL request at an HTTPS server whose certificate only its `caFile` trusts: the schema the editor
 * completes from is fetched with the request's options, as the operation is sent. Before, the introspection went
 * with none of them and failed on the certificate, while Send worked.
 */

let server: Server
let url: string
let engine: TestEngine
let dir: string

beforeAll(async () => {
  const pki = await makeTestPki()
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { hello: String! }',
      resolvers: { Query: { hello: () => 'hi' } },
    }),
    logging: false,
  })
  server = createServer({ cert: pki.localhost.cert, key: pki.localhost.key }, yoga)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
  engine = startEngine()
  dir = mkdtempSync(join(tmpdir(), 'fd-graphql-schema-ca-'))
  mkdirSync(join(dir, 'certs'))
  writeFileSync(join(dir, 'certs', 'ca.pem'), pki.ca.cert)
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Private CA\n')
  writeFileSync(
    join(dir, 'hello.yaml'),
    [
      'name: Hello',
      'kind: graphql',
      'method: POST',
      `url: '${url}'`,
      'options:',
      '  caFile: certs/ca.pem',
      'graphql:',
      "  query: '{ hello }'",
      '  transport: http',
      '',
    ].join('\n'),
  )
})

afterAll(async () => {
  await stopEngines()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(dir, { recursive: true, force: true })
})

describe("a saved GraphQL request's schema", () => {
  it("is fetched trusting the file's caFile, as its Send is", async () => {
    const store = engine.store()
    await openCollection(store, dir)
    await store.getState().openRequest(dir, 'hello.yaml')
    await store.getState().fetchSchema(url)
    const schema = store.getState().graphqlSchemas[url]
    expect(schema?.state === 'error' ? schema.message : schema?.state).toBe('ready')
  })
})
