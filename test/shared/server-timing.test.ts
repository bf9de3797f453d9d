import { describe, expect, it } from 'vitest'
import {
  MAX_SERVER_TIMING_DESC,
  MAX_SERVER_TIMING_ENTRIES,
  serverTimingOf,
} from '../../src/shared/server-timing'

const h = (...values: string[]): [string, string][] => values.map((v) => ['Server-Timing', v])

describe('Server-Timing parser', () => {
  it('reads names, durations and descriptions, quoted or not', () => {
    const st = serverTimingOf(h('db;dur=120.5;desc="Primary, DB", cache;desc=miss, render;dur=30'))
    expect(st?.entries).toEqual([
      { name: 'db', dur: 120.5, desc: 'Primary, DB', source: 'header' },
      { name: 'cache', desc: 'miss', source: 'header' },
      { name: 'render', dur: 30, source: 'header' },
    ])
    expect(st?.note).toBeUndefined()
  })

  it('takes spaces, case and escapes as the grammar allows, and the first dur and desc', () => {
    const st = serverTimingOf(h(' a ; DUR = 5 ; dur=9 ; desc = "say \\"hi\\"" ; desc=x ; foo=bar'))
    expect(st?.entries).toEqual([{ name: 'a', dur: 5, desc: 'say "hi"', source: 'header' }])
  })

  it('skips malformed entries and keeps the rest', () => {
    const st = serverTimingOf(h('bad name;dur=1, "quoted", ok;dur=2, x;desc="never closed'))
    expect(st?.entries.map((e) => e.name)).toEqual(['ok'])
    expect(serverTimingOf(h(',,, ;;, '))).toBeNull()
    expect(serverTimingOf([['content-type', 'db;dur=1']])).toBeNull()
  })

  it('reads a duration that is not a number as 0, as browsers do', () => {
    expect(serverTimingOf(h('a;dur=abc, b;dur'))?.entries).toEqual([
      { name: 'a', dur: 0, source: 'header' },
      { name: 'b', dur: 0, source: 'header' },
    ])
  })

  it('merges every header, then the trailers, marking where each came from', () => {
    const st = serverTimingOf(h('a;dur=1', 'b;dur=2'), [['server-timing', 'total;dur=9']])
    expect(st?.entries.map((e) => `${e.name}:${e.source}`)).toEqual(['a:header', 'b:header', 'total:trailer'])
  })

  it('keeps at most the bound and says how many there were', () => {
    const list = Array.from({ length: 100 }, (_, i) => `m${i};dur=${i}`).join(',')
    const st = serverTimingOf(h(list))
    expect(st?.entries).toHaveLength(MAX_SERVER_TIMING_ENTRIES)
    expect(st?.note).toBe(
      `The server sent 100 Server-Timing entries; the first ${MAX_SERVER_TIMING_ENTRIES} are kept`,
    )
  })

  it('clips a long description and stays linear on a huge value', () => {
    const long = 'x'.repeat(5000)
    expect(serverTimingOf(h(`a;desc="${long}"`))?.entries[0]?.desc).toHaveLength(MAX_SERVER_TIMING_DESC)
    const huge = `${'a;'.repeat(200_000)}dur=1`
    const started = performance.now()
    serverTimingOf(h(huge, '"'.repeat(200_000), ','.repeat(200_000)))
    expect(performance.now() - started).toBeLessThan(2000)
  })
})
