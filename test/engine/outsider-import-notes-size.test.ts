import { describe, expect, it } from 'vitest'
import { importHoppscotchCollection } from '../../src/engine/importers/hoppscotch'
import { importOpenCollection } from '../../src/engine/importers/opencollection'
import { importPostmanCollection } from '../../src/engine/importers/postman'
import type { ImportPlan } from '../../src/engine/importers/plan'

/**
 * An import's report names where each note comes from (folder / request). A folder with a very long name and
 * many requests below it must not repeat that name in every note: the report would grow as name length times
 * request count (a 1 MB file made 2 GB of notes), the square of the input.
 */
const LONG = 'F'.repeat(1_000_000)
const N = 2000

const noteChars = (plan: ImportPlan): number => plan.unmapped.reduce((a, s) => a + s.length, 0)

describe('import notes stay bounded by the input, not its square', () => {
  it('Hoppscotch: a long folder name over many requests with scripts', () => {
    const requests = Array.from({ length: N }, (_, i) => ({
      v: 2,
      name: `r${i}`,
      endpoint: 'http://127.0.0.1/',
      method: 'GET',
      testScript: 'pw.expect(1).toBe(1)',
    }))
    const plan = importHoppscotchCollection({
      v: 2,
      name: 'c',
      folders: [{ v: 2, name: LONG, folders: [], requests }],
      requests: [],
    })
    expect(plan.unmapped.length).toBe(N)
    expect(noteChars(plan)).toBeLessThan(2 * LONG.length)
    // The note still says where, with the name shortened visibly.
    expect(plan.unmapped[0]).toMatch(/^F+… \/ r0: scripts kept/)
  })

  it('Postman: the same shape', () => {
    const item = Array.from({ length: N }, (_, i) => ({
      name: `r${i}`,
      request: { method: 'NOT A METHOD', url: 'http://127.0.0.1/' },
    }))
    const plan = importPostmanCollection({
      info: { name: 'c', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
      item: [{ name: LONG, item }],
    })
    expect(plan.unmapped.length).toBeGreaterThanOrEqual(N)
    expect(noteChars(plan)).toBeLessThan(2 * LONG.length)
  })

  it('OpenCollection: the same shape', () => {
    const items = Array.from({ length: N }, (_, i) => ({
      info: { name: `r${i}`, type: 'http' },
      http: { method: 'NOT A METHOD', url: 'http://127.0.0.1/' },
    }))
    const plan = importOpenCollection({
      opencollection: '1.0.0',
      info: { name: 'c' },
      items: [{ info: { name: LONG, type: 'folder' }, items }],
    })
    expect(plan.unmapped.length).toBeGreaterThanOrEqual(N)
    expect(noteChars(plan)).toBeLessThan(2 * LONG.length)
  })
})
