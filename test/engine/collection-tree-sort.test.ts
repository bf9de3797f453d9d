import { describe, expect, it } from 'vitest'
import { emptySavedRequest, type SavedRequest, type TreeNode } from '../../src/shared/collection'
import { buildTree } from '../../src/engine/collections/collection-tree'
import {
  asciiLocale,
  compareKeyedNames,
  compareNames,
  nameSortKey,
} from '../../src/engine/collections/name-order'
import { rng } from '../fixtures/seeded-random'

/**
 * A folder's children are sorted by keys made once per name, not by walking both names at every comparison: a
 * folder of 1,000 requests looks at each name's characters a few times, not a few times per comparison (~10,000
 * of them), and the order stays the collator's.
 */

const englishOrPosix = asciiLocale(process.env)
const reference = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })

function requestsNamed(names: readonly string[]): Map<string, SavedRequest> {
  return new Map(names.map((name, i) => [`r${i}.yaml`, { ...emptySavedRequest(name) }]))
}

/** How many times `String.prototype.charCodeAt` is called while `fn` runs. */
function charReads(fn: () => void): number {
  const original = String.prototype.charCodeAt
  let n = 0
  String.prototype.charCodeAt = function (this: string, i: number) {
    n++
    return original.call(this, i)
  }
  try {
    fn()
  } finally {
    String.prototype.charCodeAt = original
  }
  return n
}

describe('sorting a folder’s children', () => {
  it.runIf(englishOrPosix)(
    'reads each of 1,000 names a few times over, not once per comparison, and sorts them as the collator does',
    () => {
      const next = rng(21)
      const names = Array.from({ length: 1000 }, (_, i) => `Item ${i * 10}`)
      for (let i = names.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1))
        ;[names[i], names[j]] = [names[j] as string, names[i] as string]
      }
      const chars = names.reduce((n, s) => n + s.length, 0)
      let root: TreeNode | undefined
      const reads = charReads(() => {
        root = buildTree('Sorted', [''], new Map(), requestsNamed(names))
      })
      expect(root?.type === 'folder' ? root.children.map((c) => c.name) : []).toEqual(
        [...names].sort(reference.compare),
      )
      // Each name's key reads its characters about twice (digits three times); comparing names pairwise read
      // the shared "Item " of both names at every one of the sort's ~10,000 comparisons (over 100,000 reads).
      expect(reads).toBeLessThan(4 * chars)
    },
  )

  it('orders 200,000 random pairs by their keys as compareNames does', () => {
    const next = rng(0x7ee)
    const pieces = [
      ' ',
      '-',
      '_',
      '.',
      'a',
      'A',
      'b',
      'z',
      'Z',
      '0',
      '00',
      '1',
      '9',
      '10',
      '007',
      'Item ',
      'é',
      '1'.repeat(70),
    ]
    const name = (): string => {
      let s = ''
      const n = 1 + Math.floor(next() * 6)
      for (let i = 0; i < n; i++) s += pieces[Math.floor(next() * pieces.length)]
      return s
    }
    const wrong: string[] = []
    for (let i = 0; i < 200_000 && wrong.length < 5; i++) {
      const a = name()
      const b = next() < 0.5 ? a.slice(0, Math.floor(next() * (a.length + 1))) + name() : name()
      const want = Math.sign(compareNames(a, b))
      const got = Math.sign(compareKeyedNames(a, nameSortKey(a), b, nameSortKey(b)))
      if (want !== got)
        wrong.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${got}, compareNames ${want}`)
    }
    expect(wrong).toEqual([])
  })
})
