import { describe, expect, it } from 'vitest'
import { operationNames, runsSubscription } from '../../src/renderer/graphql/operations'

/**
 * The composer's operation picker and its "a subscription needs a stream transport" offer read the document as
 * Send does (variables filled, `\{{` escapes read), so a document with `{{variables}}` in it still shows its
 * operations: parsed as typed, `user(id: {{id}})` and `"\{{x}}"` are not GraphQL.
 */
describe('the GraphQL composer reads operations as they are sent', () => {
  it('names the operations of a document with variables in value places', () => {
    const query =
      'query One { user(id: {{userId}}) { name } }\nmutation Two { rename(id: {{userId}}, to: "{{name}}") }'
    expect(operationNames(query)).toEqual(['One', 'Two'])
  })

  it('reads an escaped {{ inside a string as the literal braces it sends', () => {
    expect(operationNames('query Literal { search(text: "\\{{not a variable}}") { id } }')).toEqual([
      'Literal',
    ])
  })

  it('knows a subscription with a variable in it is one', () => {
    const query = 'subscription OnMessage { messages(room: {{room}}) { text } }'
    expect(runsSubscription(query, '')).toBe(true)
    expect(runsSubscription(query, 'OnMessage')).toBe(true)
    expect(runsSubscription('query Q { a(x: {{x}}) }', '')).toBe(false)
  })

  it('still gives nothing for a document that is not GraphQL as sent', () => {
    expect(operationNames('query { user(id: ) }')).toEqual([])
    expect(runsSubscription('subscription { {{', '')).toBe(false)
  })
})
