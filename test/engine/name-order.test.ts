import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { TreeNode } from '../../src/shared/collection'
import { loadCollection } from '../../src/engine/collections/loader'
import { asciiLocale, compareNames } from '../../src/engine/collections/name-order'

/**
 * The tree's names in the order ICU's collator gives them (case aside, numbers by value), whether the ASCII
 * table decides or the collator does, and a collection of plain ASCII names loads without setting up ICU's
 * collator (6-15 ms of every `flightdeck run`).
 */

const reference = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })
const englishOrPosix = /^en\b/.test(reference.resolvedOptions().locale)

/** Deterministic, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('')
/** Weighted toward what tells orders apart: case, digits (leading zeros), near-equal prefixes, accents. */
const PIECES = [
  ...PRINTABLE,
  ...'aAbBzZ0001099',
  '00',
  '10',
  '9',
  ' ',
  '-',
  '_',
  'Item ',
  'item-',
  'é',
  'E\u0301',
  'ß',
  'ñ',
  'Å',
  'ø',
  '中',
  '\t',
  '\u0000',
  '😀',
  '1'.repeat(70),
]

function randomName(next: () => number, asciiOnly: boolean): string {
  const pieces = asciiOnly ? PIECES.filter((p) => /^[\x20-\x7e]*$/.test(p)) : PIECES
  const n = 1 + Math.floor(next() * 6)
  let s = ''
  for (let i = 0; i < n; i++) s += pieces[Math.floor(next() * pieces.length)]
  return s
}

function names(node: TreeNode): string[] {
  return node.type === 'folder' ? node.children.map((c) => c.name) : []
}

describe('the order of names in a collection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-name-order-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.runIf(englishOrPosix)(
    'loads a collection of ASCII names without setting up ICU’s collator',
    async () => {
      writeFileSync(join(dir, 'collection.yaml'), 'name: Names\n')
      const ascii = [
        'Item 10',
        'item 2',
        'Item 1',
        'a-b',
        'a_b',
        'A b',
        'x.9',
        'x.10',
        'Zed',
        'zeta 007',
        'zeta 7b',
      ]
      ascii.forEach((name, i) => {
        writeFileSync(join(dir, `r${i}.yaml`), `name: "${name}"\nmethod: GET\nurl: http://127.0.0.1:1/\n`)
      })
      const made: unknown[] = []
      const Original = Intl.Collator
      const counting = function (this: unknown, ...args: ConstructorParameters<typeof Intl.Collator>) {
        made.push(args)
        return new Original(...args)
      } as unknown as typeof Intl.Collator
      Object.assign(counting, Original)
      Intl.Collator = counting
      let loaded
      try {
        loaded = await loadCollection(dir)
      } finally {
        Intl.Collator = Original
      }
      expect(made).toEqual([])
      expect(names(loaded.info.root)).toEqual([...ascii].sort(reference.compare))
    },
  )

  it('orders loaded names, ASCII or not, as the collator does', async () => {
    const sub = join(dir, 'mixed')
    mkdirSync(sub)
    writeFileSync(join(sub, 'collection.yaml'), 'name: Mixed\n')
    const mixed = [
      'Éclair',
      'eclair 2',
      'Zebra',
      'Ångström',
      'apple 10',
      'Apple 9',
      '中文',
      'b-2',
      'b_1',
      'ß',
    ]
    mixed.forEach((name, i) => {
      writeFileSync(join(sub, `r${i}.yaml`), `name: "${name}"\nmethod: GET\nurl: http://127.0.0.1:1/\n`)
    })
    const loaded = await loadCollection(sub)
    expect(names(loaded.info.root)).toEqual([...mixed].sort(reference.compare))
  })

  it('compares 200,000 random pairs exactly as Intl.Collator does', () => {
    const next = rng(0x5eed)
    const wrong: string[] = []
    for (let i = 0; i < 200_000 && wrong.length < 5; i++) {
      const a = randomName(next, i % 2 === 0)
      // Half the pairs share a prefix, where the subtle cases (numbers, lengths) are.
      const b =
        next() < 0.5
          ? a.slice(0, Math.floor(next() * (a.length + 1))) + randomName(next, i % 2 === 0)
          : randomName(next, i % 2 === 0)
      const want = Math.sign(reference.compare(a, b))
      const got = Math.sign(compareNames(a, b))
      if (want !== got) wrong.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${got}, collator ${want}`)
    }
    expect(wrong).toEqual([])
  })

  it('takes the ASCII path only where Node’s ICU orders names as English does', () => {
    const envs: Record<string, string>[] = [
      { LANG: 'en_US.UTF-8' },
      { LANG: 'C.UTF-8' },
      { LANG: '' },
      { LANG: 'da_DK.UTF-8' },
      { LC_ALL: 'tr_TR.UTF-8', LANG: 'en_US.UTF-8' },
      { LC_MESSAGES: 'sv_SE.UTF-8', LANG: 'en_US.UTF-8' },
      { LANG: 'en_US.UTF-8', LC_COLLATE: 'da_DK.UTF-8' },
      { LANG: 'de_DE@collation=phonebook' },
    ]
    for (const env of envs) {
      const icu = execFileSync(process.execPath, ['-p', 'new Intl.Collator().resolvedOptions().locale'], {
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
      }).trim()
      expect([env, asciiLocale(env, undefined)]).toEqual([env, /^(en|und)\b/.test(icu)])
    }
    expect(asciiLocale({ LANG: 'en_US.UTF-8' }, '30.0.0')).toBe(false)
  })

  it('sorts every printable ASCII character, each case and digit pair, as the collator does', () => {
    const singles = [...PRINTABLE]
    for (const a of singles) {
      for (const b of singles)
        expect([a, b, Math.sign(compareNames(a, b))]).toEqual([a, b, Math.sign(reference.compare(a, b))])
    }
    const list = [
      'item-01',
      'item-1',
      'Item-2',
      'item 10',
      'item10',
      'item-010b',
      'item-10a',
      'x',
      'X ',
      'x!',
      '0',
      '00',
      '000 1',
    ]
    expect([...list].sort(compareNames)).toEqual([...list].sort(reference.compare))
  })
})
