import { describe, expect, it } from 'vitest'
import { SchemaService } from '../../src/renderer/graphql/schema-service'
import { bigSchemaSdl } from '../fixtures/graphql-big-schema'

/**
 * The docs' filter of types asks the schema worker (here its SchemaService, in-process) for the names holding
 * what was typed, over every type of the schema, not only the 500 the summary lists: a 5,000-type schema's
 * Type4999 is found, the count says how many match, the answer holds at most 500 names, and the roots are among
 * them: the list is all the schema's types, so its count is the one the schema line gives.
 */
describe('the schema worker filters every type name', () => {
  const service = new SchemaService()
  const summary = service.handle('sdl', { key: 'big', sdl: bigSchemaSdl(5000), source: 'big.graphql' })

  it('finds a type the summary does not list, in any case', () => {
    expect(summary.typeNames).not.toContain('Type4999')
    expect(service.handle('types', { key: 'big', filter: 'type4999' })).toEqual({
      names: ['Type4999'],
      matches: 1,
    })
    // Type12, Type120…Type129, Type1200…Type1299, sorted as the list is.
    const some = service.handle('types', { key: 'big', filter: ' Type12 ' })
    expect(some.matches).toBe(111)
    expect(some.names[0]).toBe('Type12')
    expect(some.names).toEqual([...some.names].sort())
  })

  it('counts all matches and answers at most 500 names; the roots are among them', () => {
    const all = service.handle('types', { key: 'big', filter: 'e' })
    expect(all.names).toHaveLength(500)
    expect(all.matches).toBeGreaterThan(5000)
    expect(all.matches).toBeLessThan(summary.typeCount + 1)
    expect(service.handle('types', { key: 'big', filter: 'Query' })).toEqual({ names: ['Query'], matches: 1 })
    // Every named type but the introspection's own: the count the schema line gives ("Schema: 6,006 types").
    expect(summary.typeCount).toBe(6006)
    expect(service.handle('types', { key: 'big', filter: '' }).matches).toBe(summary.typeCount)
  })

  it('says so for a schema no longer loaded', () => {
    service.handle('drop', { key: 'big' })
    expect(() => service.handle('types', { key: 'big', filter: 'Type1' })).toThrow(/no longer loaded/)
  })
})
