import { describe, expect, it } from 'vitest'
import type { Type } from 'js-yaml'
import { plainScalar, READ_SCHEMA } from '../../src/engine/collections/yaml-read'

/**
 * plainScalar answers a scalar that no implicit type could take (by its first character) without asking them:
 * checked here against asking every type in order, as js-yaml does, for every printable ASCII first character
 * and the tails that make nulls, booleans and numbers.
 */

const IMPLICIT = (READ_SCHEMA as unknown as { compiledImplicit: Type[] }).compiledImplicit

function askingEveryType(text: string): unknown {
  for (const type of IMPLICIT) if (type.resolve(text)) return type.construct(text) as unknown
  return text
}

describe('plainScalar', () => {
  it('resolves every scalar as the read schema does', () => {
    const tails = [
      '',
      'ull',
      'ULL',
      'rue',
      'RUE',
      'alse',
      'ALSE',
      '1',
      '0',
      '.5',
      'x1F',
      'inf',
      'nan',
      'NaN',
      ' x',
      'e3',
    ]
    const firsts = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).concat([
      'é',
      '\u00a0',
      '名',
      '😀',
    ])
    const texts = [
      '',
      '~',
      'null',
      'Null',
      'NULL',
      'true',
      'False',
      '.inf',
      '-.inf',
      '.NaN',
      '0x1F',
      '0o17',
      '1_000',
      '012',
      '1.10',
    ]
    for (const f of firsts) for (const t of tails) texts.push(f + t)
    let resolved = 0
    for (const text of texts) {
      const want = askingEveryType(text)
      if (want !== text) resolved++
      expect(plainScalar(text), JSON.stringify(text)).toStrictEqual(want)
    }
    expect(resolved).toBeGreaterThan(50)
  })
})
