import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeSavedGraphql, schemaFileKey } from '../../src/renderer/graphql/graphql-slice'
import { schemaClient } from '../../src/renderer/graphql/schema-client'
import type { AppStore } from '../../src/renderer/store/app-store'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * A GraphQL request's schema from a `.graphql` SDL file in its collection (`graphql.schemaFile`): the app reads
 * it through the engine and builds the schema the composer completes and validates with; a path leading out of
 * the collection is refused as any collection path, a file that is not SDL says where; the path is saved in
 * the request's `graphql:` block.
 */

let base = ''
let dir = ''
let engine: TestEngine
let store: AppStore
const s = () => store.getState()

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'fd-gql-schema-file-')))
  dir = join(base, 'collection')
  mkdirSync(join(dir, 'schemas'), { recursive: true })
  writeFileSync(join(base, 'outside.graphql'), 'type Query { secret: String }\n')
  writeFileSync(join(dir, 'collection.yaml'), 'name: Schemas\n')
  writeFileSync(
    join(dir, 'schemas', 'api.graphql'),
    '"A user."\ntype User {\n  id: Int!\n  name: String!\n}\ntype Query {\n  user(id: Int!): User\n}\n',
  )
  writeFileSync(join(dir, 'schemas', 'broken.graphql'), 'type Query {\n  user(\n}\n')
  writeFileSync(
    join(dir, 'get-user.yaml'),
    'name: Get user\nkind: graphql\nurl: http://127.0.0.1:1/graphql\ngraphql:\n  query: "{ user(id: 1) { name } }"\n  schemaFile: schemas/api.graphql\n',
  )
  engine = startEngine({ configDir: join(base, 'config') })
  store = engine.store()
  await openCollection(store, dir)
  await s().openRequest(dir, 'get-user.yaml')
})

afterAll(async () => {
  await stopEngines()
  rmSync(base, { recursive: true, force: true })
})

describe("a GraphQL request's schema file", () => {
  it('is read from the collection and built into the schema the composer uses', async () => {
    expect(activeSavedGraphql(s()).schemaFile).toBe('schemas/api.graphql')
    await s().loadSchemaFile('schemas/api.graphql')
    const state = s().graphqlSchemas[schemaFileKey('schemas/api.graphql')]
    if (state?.state !== 'ready') throw new Error(JSON.stringify(state))
    expect(state.summary).toEqual({
      typeCount: 5,
      roots: [{ name: 'Query', description: null }],
      // All the types, the root among them (the docs' list counts what the schema line counts).
      typeNames: ['Boolean', 'Int', 'Query', 'String', 'User'],
    })
    const user = await schemaClient().call('type', { key: state.key, name: 'User' })
    expect(user?.description).toBe('A user.')
  })

  it('a path out of the collection is refused; a file that is not SDL says its line and column', async () => {
    await s().loadSchemaFile('../outside.graphql')
    const out = s().graphqlSchemas[schemaFileKey('../outside.graphql')]
    expect(out).toMatchObject({ state: 'error' })
    expect(out?.state === 'error' ? out.message : '').toMatch(
      /^The schema file \.\.\/outside\.graphql \(it leads to .*\) is outside the collection folder /,
    )
    // Loading a schema sends nothing: the refusal says what it stopped, not Send's 'nothing was sent'.
    expect(out?.state === 'error' ? out.message : '').toMatch(
      /is outside the collection folder [^;]*; the schema was not loaded\. /,
    )
    await s().loadSchemaFile('schemas/broken.graphql')
    const broken = s().graphqlSchemas[schemaFileKey('schemas/broken.graphql')]
    expect(broken?.state === 'error' ? broken.message : '').toMatch(
      /^The schema file schemas\/broken\.graphql is not a schema: line 3, column 1: /,
    )
  })

  it('the path is kept in the saved graphql block', async () => {
    s().setGraphqlDraft({ schemaFile: 'schemas/other.graphql' })
    expect(activeSavedGraphql(s()).schemaFile).toBe('schemas/other.graphql')
    await s().saveActiveTab()
    expect(readFileSync(join(dir, 'get-user.yaml'), 'utf8')).toContain('schemaFile: schemas/other.graphql')
  })
})
