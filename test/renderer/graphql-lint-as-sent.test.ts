import { EditorState } from '@codemirror/state'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaClient } from '../../src/renderer/graphql/schema-client'
import { fetchGraphqlSchema, type FetchedSchema } from './graphql-fetched-schema'

/**
 * The GraphQL editor's marks read the document as Send sends it: `{{variables}}` filled and `\{{` read as `{{`
 * (the engine does so before it parses). Read as typed, a query with a variable was marked as a syntax error and
 * an escaped `\{{` in a string as a bad escape, where Send sent both. A mark after a variable is drawn where it
 * was typed. The schema is a real graphql-yoga server's, by introspection, as the composer fetches it.
 */

let schema: FetchedSchema | undefined
let key = ''

beforeAll(async () => {
  schema = await fetchGraphqlSchema()
  key = schema.key
})

afterAll(async () => {
  await schema?.close()
})

/** The editor's marks on `text`, each as the typed text from its start (to the end of that word) and its message. */
async function marks(text: string): Promise<{ on: string; message: string }[]> {
  const found = await schemaClient().call('diagnose', { key, text })
  const doc = EditorState.create({ doc: text }).doc
  return found.map((m) => ({
    on: /^("[^"]*"|\w+)/.exec(doc.sliceString(m.from, m.to))?.[0] ?? '',
    message: m.message,
  }))
}

describe('the GraphQL editor marks what Send would send', () => {
  it('a {{variable}} where a value or a field goes is no error', async () => {
    expect(await marks('query { user(id: {{userId}}) { id name } }')).toEqual([])
    expect(await marks('query {\n  user(id: 1) { {{fields}} }\n}')).toEqual([])
    expect(await marks('{ echo(text: "Hello {{ who }}") }')).toEqual([])
  })

  it('an escaped \\{{ in a string is sent as {{: no bad escape', async () => {
    expect(await marks('{ echo(text: "\\{{not a variable}}") }')).toEqual([])
  })

  it('a mark after a variable is drawn on the typed text', async () => {
    const found = await marks('query {\n  user(id: {{userId}}) { id zzz }\n}')
    expect(found).toEqual([{ on: 'zzz', message: 'Cannot query field "zzz" on type "User".' }])
    const escaped = await marks('{ echo(text: "\\{{x}}") zzz }')
    expect(escaped).toEqual([{ on: 'zzz', message: 'Cannot query field "zzz" on type "Query".' }])
  })

  it('what Send would refuse is still marked', async () => {
    const found = await marks('{ user(id: "one") { id } }')
    expect(found.map((m) => m.on)).toEqual(['"one"'])
  })
})
