import { CompletionContext, type CompletionResult, type CompletionSource } from '@codemirror/autocomplete'
import { EditorState } from '@codemirror/state'
import { graphqlLanguageSupport } from 'cm6-graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaClient } from '../../src/renderer/graphql/schema-client'
import { schemaEditing } from '../../src/renderer/graphql/schema-editing'
import { fetchGraphqlSchema, type FetchedSchema } from './graphql-fetched-schema'

/**
 * Completion and validation of a GraphQL document against the schema a real graphql-yoga server gives by
 * introspection, as the composer's editor asks for them: the store fetches the schema, the editor's completion
 * source (schema-editing.ts) offers what the cursor may take, and the marks its linter draws come from the same
 * schema service. (vitest.config.ts gives every module one `graphql`, as the app's bundle does: with two,
 * graphql-language-service refused the schemas the service built.)
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

/** What the editor offers where `|` stands in `doc`, asked for with Ctrl+Space. */
async function offered(doc: string): Promise<CompletionResult | null> {
  const pos = doc.indexOf('|')
  const state = EditorState.create({
    doc: doc.replace('|', ''),
    selection: { anchor: pos },
    extensions: [graphqlLanguageSupport(), schemaEditing(key)],
  })
  const sources = state.languageDataAt<CompletionSource>('autocomplete', pos)
  expect(sources).toHaveLength(1)
  return (await sources[0]?.(new CompletionContext(state, pos, true))) ?? null
}

const labels = (r: CompletionResult | null): string[] => (r?.options ?? []).map((o) => o.label)

describe('GraphQL completion against a graphql-yoga server’s schema', () => {
  it('offers the query type’s fields at the top of a query, with their types', async () => {
    const r = await offered('{ |}')
    expect(labels(r)).toEqual(
      expect.arrayContaining(['hello', 'user', 'boom', 'echoHeader', 'echo', '__typename']),
    )
    expect(r?.options.find((o) => o.label === 'user')?.detail).toBe('User')
    expect(r?.options.find((o) => o.label === 'hello')?.detail).toBe('String!')
  })

  it('offers a type’s fields inside its selection, with their descriptions, from the word typed', async () => {
    const r = await offered('query { user(id: 1) { na| } }')
    expect(labels(r)).toContain('name')
    expect(labels(r)).not.toContain('hello')
    expect(r?.from).toBe('query { user(id: 1) { '.length)
    const name = r?.options.find((o) => o.label === 'name')
    expect(name).toMatchObject({ detail: 'String!', info: "The user's name." })
  })

  it('offers an argument’s name inside its parentheses', async () => {
    expect(labels(await offered('{ echoHeader(|) }'))).toEqual(['name'])
  })
})

describe('GraphQL validation against the same schema', () => {
  const marks = (text: string) => schemaClient().call('diagnose', { key, text })

  it('a document the schema answers has no marks', async () => {
    expect(await marks('query { user(id: 1) { id name } hello }')).toEqual([])
  })

  it('marks a field the type does not have, on the field, naming both', async () => {
    const text = '{ hello nope }'
    const found = await marks(text)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      severity: 'error',
      message: 'Cannot query field "nope" on type "Query".',
    })
    expect(found[0]?.from).toBe(text.indexOf('nope'))
    expect(text.slice(found[0]?.from, found[0]?.to).trim()).toBe('nope')
  })

  it('marks an argument of the wrong type and a missing required argument', async () => {
    const found = await marks('{ user(id: "one") { id } echo }')
    const messages = found.map((m) => m.message).join('\n')
    expect(messages).toMatch(/Int cannot represent non-integer value: "one"/)
    expect(messages).toMatch(/Field "echo" argument "text" of type "String!" is required/)
  })
})
