import { load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { readSimpleYaml } from '../../src/engine/collections/yaml-fast'
import { mapRoot, plainScalar, READ_SCHEMA } from '../../src/engine/collections/yaml-read'
import { rng } from '../fixtures/seeded-random'

/**
 * A seeded differential fuzz of the fast YAML reader: thousands of generated request-file-like texts, each either
 * declined by the fast reader or read to exactly what js-yaml reads with the read schema.
 */

const KEYS = [
  'name',
  'url',
  'method',
  'a',
  'b.c',
  'x-y',
  'headers',
  'value',
  'enabled',
  'Null',
  'true',
  'on',
  'y',
  '_k',
  'k1',
]
const SCALARS = [
  '200',
  '-1',
  '+1',
  '0',
  '00',
  '012',
  '0o17',
  '0x1F',
  '0x',
  '0b101',
  '1_000',
  '1e3',
  '1.10',
  '.5',
  '5.',
  '.inf',
  '-.inf',
  '.Inf',
  '.NaN',
  '.nan',
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  'true',
  'True',
  'yes',
  'no',
  'on',
  'off',
  'false',
  '2024-01-01',
  '2024-01-01T10:00:00Z',
  '12:30',
  '1:30',
  'a: b',
  'a:b',
  'value: x',
  'b #c',
  'b#c',
  "'x''y'",
  "'x'",
  '"a\\"b"',
  '"\\u00e9"',
  '"\\x41"',
  '"\\e"',
  '"tab\\tx"',
  "''",
  '""',
  '- a',
  '-a',
  '--',
  '---',
  '...',
  'a...',
  '|',
  '|-',
  '|+',
  '|2',
  '>',
  '>-',
  '&a x',
  '*a',
  '!!str 1',
  '[1, 2]',
  '{a: 1}',
  '@x',
  '`x`',
  '%x',
  '?',
  '? a',
  'ü €',
  '\u00a0x',
  'x\u00a0',
  '\u2009',
  '\u00a0',
  '名前',
  '😀',
  'é',
  'a b  c',
  'a,b',
  'http://x.test/a?b=1&c=2',
  '{{baseUrl}}/x',
  "it's",
  'say "hi"',
  '12345678901234567890',
  '1.0',
  '1e',
  '-',
  '-0',
  '+.5',
  '0.1e+3',
  '0X1F',
  '0o',
  '0b',
  '1__0',
  '_1',
  '1_',
]
/** YAML's white space is the space and the tab only: a no-break or other Unicode space is content. */
const SPACE = ['', '', '', ' ', '  ', '\u00a0', ' \u2003', '\u3000', '\ufeff']

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T
}

function scalar(r: () => number): string {
  const s = pick(r, SCALARS)
  if (r() < 0.05) return s.repeat(1 + Math.floor(r() * 300))
  if (r() < 0.1) return `${s} ${pick(r, SCALARS)}`
  return s
}

/** Lines of a mapping at `indent`, `depth` levels left. */
function mapping(r: () => number, indent: number, depth: number, out: string[]): void {
  const n = 1 + Math.floor(r() * 4)
  for (let i = 0; i < n; i++) entry(r, indent, depth, out)
}

function entry(r: () => number, indent: number, depth: number, out: string[]): void {
  const pad = ' '.repeat(indent)
  const key = pick(r, KEYS)
  const roll = r()
  if (roll < 0.45 || depth <= 0)
    out.push(`${pad}${key}:${r() < 0.05 ? '' : ' '}${scalar(r)}${pick(r, SPACE)}`)
  else if (roll < 0.55) out.push(`${pad}${key}:${pick(r, SPACE)}`)
  else if (roll < 0.7) {
    out.push(`${pad}${key}:${pick(r, SPACE)}`)
    mapping(r, indent + pick(r, [1, 2, 2, 4]), depth - 1, out)
  } else if (roll < 0.85) {
    out.push(`${pad}${key}:`)
    sequence(r, indent + pick(r, [0, 0, 2, 2, 1]), depth - 1, out)
  } else {
    out.push(`${pad}${key}: ${pick(r, ['|', '|-', '|+', '|2', '|1-', '|+2', '>', '>-', '| '])}`)
    block(r, indent + pick(r, [1, 2, 2, 3]), out)
  }
}

function sequence(r: () => number, indent: number, depth: number, out: string[]): void {
  const pad = ' '.repeat(indent)
  const n = 1 + Math.floor(r() * 3)
  for (let i = 0; i < n; i++) {
    const roll = r()
    if (roll < 0.4 || depth <= 0) out.push(`${pad}-${pick(r, [' ', ' ', '  ', ''])}${scalar(r)}`)
    else if (roll < 0.8) {
      const gap = pick(r, [1, 1, 2, 3])
      const sub: string[] = []
      mapping(r, indent + 1 + gap, depth - 1, sub)
      const first = (sub[0] as string).slice(indent + 1 + gap)
      out.push(`${pad}-${' '.repeat(gap)}${first}`, ...sub.slice(1))
    } else if (roll < 0.9) out.push(`${pad}- - ${scalar(r)}`)
    else out.push(`${pad}-`)
  }
}

function block(r: () => number, indent: number, out: string[]): void {
  const n = Math.floor(r() * 4)
  for (let i = 0; i < n; i++) {
    const roll = r()
    if (roll < 0.2) out.push('')
    else if (roll < 0.3) out.push(' '.repeat(indent + 1 + Math.floor(r() * 3)) + scalar(r))
    else if (roll < 0.35) out.push(' '.repeat(indent))
    else if (roll < 0.4) out.push(' '.repeat(Math.max(0, indent - 1)) + scalar(r))
    else out.push(' '.repeat(indent) + scalar(r) + pick(r, SPACE))
  }
}

function document(r: () => number): string {
  const out: string[] = []
  if (r() < 0.03) out.push(pick(r, ['---', '--- ', '%YAML 1.2\n---']))
  mapping(r, 0, 3, out)
  if (r() < 0.03) out.push(pick(r, ['...', '---', '--- a: 1']))
  let text = out.join('\n')
  const end = r()
  if (end < 0.5) text += '\n'
  else if (end < 0.6) text += '\n\n\n'
  else if (end < 0.65) text += '\n  \n'
  return text
}

type Outcome = { ok: true; value: unknown } | { ok: false }

function slow(text: string): Outcome {
  try {
    return { ok: true, value: load(text, { schema: READ_SCHEMA, json: false }) }
  } catch {
    return { ok: false }
  }
}

function fast(text: string): Outcome | 'declined' {
  try {
    const v = readSimpleYaml(text, plainScalar)
    return v === undefined ? 'declined' : { ok: true, value: v }
  } catch {
    return { ok: false }
  }
}

describe('fast YAML reader, differential fuzz against js-yaml', () => {
  it('reads 4,000 generated texts to what js-yaml reads, or declines', () => {
    let read = 0
    const failures: string[] = []
    for (let seed = 1; seed <= Number(process.env.FUZZ_N ?? 4000); seed++) {
      const text = document(rng(seed))
      const f = fast(text)
      if (f === 'declined') continue
      read++
      const s = slow(text)
      try {
        expect(f).toStrictEqual(s)
      } catch {
        if (failures.length < 5)
          failures.push(`seed ${seed}:\n${text}\nfast: ${JSON.stringify(f)}\njs-yaml: ${JSON.stringify(s)}`)
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([])
    // The generator must reach the fast path often enough for the comparison to mean something.
    expect(read).toBeGreaterThan(400)
  })
})

describe('fast YAML reader, time on large texts', () => {
  /**
   * Milliseconds of CPU one read of `text` takes (the fast reader's result is returned or it declined). CPU time,
   * not wall time: on a busy machine a read can wait for a core far longer than it computes, and that wait says
   * nothing about the reader.
   */
  function timed(text: string): number {
    const start = process.cpuUsage()
    readSimpleYaml(text, plainScalar)
    const used = process.cpuUsage(start)
    return (used.user + used.system) / 1000
  }

  // Nine reads of each text, built first: 10 s on a quiet machine, several times that on a loaded runner.
  it(
    'stays linear on many lines, nesting and a 10 MB line (twice the text, at most ~4x the time)',
    { timeout: 120_000 },
    () => {
      const flat = (n: number): string => Array.from({ length: n }, (_, i) => `k${i}: value ${i}`).join('\n')
      // Many sequences of mappings nested 20 levels deep (40 for the fast reader, near its deepest), one after another.
      const level = (d: number): string => `${' '.repeat(2 * d)}k:\n${' '.repeat(2 * d)}- name: n${d}\n`
      const block = Array.from({ length: 20 }, (_, d) => level(d)).join('')
      const deep = (n: number): string =>
        Array.from({ length: n }, (_, i) => `r${i}:\n${block.replace(/^(?=.)/gm, '  ')}`).join('')
      const longLine = (n: number): string => `a: ${'x'.repeat(n)}\n`
      for (const [make, n] of [
        [flat, 45_000],
        [deep, 1_200],
        [longLine, 5_000_000],
      ] as const) {
        const small = make(n)
        const big = make(n * 2)
        timed(small)
        // Alternating rounds, the fastest of each: whatever else the machine does falls on both sizes alike.
        const smalls: number[] = []
        const bigs: number[] = []
        for (let round = 0; round < 4; round++) {
          smalls.push(timed(small))
          bigs.push(timed(big))
        }
        const a = Math.min(...smalls)
        const b = Math.min(...bigs)
        expect(b, `${big.length} chars took ${b} ms, half of it ${a} ms`).toBeLessThan(Math.max(4 * a, 150))
      }
    },
  )
})

describe('fast YAML reader, deep nesting', () => {
  const nested = (levels: number): string =>
    Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k:`).join('\n')

  it('a file nested 4,500 levels deep (10 MB) is a worded YAML problem, not a stack overflow', () => {
    const text = nested(4_500)
    expect(readSimpleYaml(text, plainScalar)).toBeUndefined()
    const read = mapRoot(text)
    expect(read.ok).toBe(false)
    if (!read.ok) expect(read.problem.message).not.toBe('')
  })

  it("nested deeper than js-yaml allows (300 levels), the file gets js-yaml's error, not a value", () => {
    const text = nested(300)
    expect(readSimpleYaml(text, plainScalar)).toBeUndefined()
    const read = mapRoot(text)
    expect(read.ok).toBe(false)
    if (!read.ok) expect(read.problem.message).toMatch(/maxDepth/)
  })

  it("past the fast reader's depth but within js-yaml's (80 levels), js-yaml reads it to its value", () => {
    const text = nested(80)
    expect(readSimpleYaml(text, plainScalar)).toBeUndefined()
    expect(mapRoot(text)).toStrictEqual({ ok: true, value: load(text, { schema: READ_SCHEMA, json: false }) })
  })
})

/** Request files as Flightdeck and people write them, to be mutated a character at a time. */
const BASES = [
  'name: Get item\nmethod: GET\nurl: "{{baseUrl}}/items/1"\nheaders:\n  - name: Accept\n    value: application/json\n' +
    '    enabled: true\n  - name: X-Zip\n    value: \'01234\'\nbody:\n  kind: json\n  text: |\n    {\n      "a": 1\n' +
    '    }\nassertions:\n- kind: status\n  equals: 200\n- kind: header\n  oneOf:\n  - 200\n  - 201\n',
  'a:\n  b:\n    c: 1\n    d:\n    - x\n    - y: 2\n      z: |-\n        l1\n\n        l2\n  e: ~\nf: .inf\n',
  "k: |+\n  x\n\n\nm: 'a''b'\nn: \"\\u00e9\\t\"\no:\n- - a\np: 0x1F\nq: -.5e3\n",
]
const MUTATIONS = [
  ' ',
  ' ',
  '\n',
  '-',
  ':',
  "'",
  '"',
  '|',
  '+',
  '1',
  '0',
  'x',
  '.',
  '\\',
  'a',
  '~',
  '\u00a0',
  '?',
  '>',
  '[',
  '!',
  '&',
  '*',
  'e',
  '_',
  '\n\n',
  '  ',
]

describe('fast YAML reader, differential fuzz of mutated request files', () => {
  // 20,000 reads by both readers: seconds of CPU, several times that in wall time on a loaded runner.
  it(
    'reads 20,000 texts one to three characters off a request file as js-yaml does, or declines',
    { timeout: 60_000 },
    () => {
      const r = rng(20_251_205)
      let read = 0
      const failures: string[] = []
      for (let n = 0; n < 20_000; n++) {
        let text = BASES[n % BASES.length] as string
        const edits = 1 + Math.floor(r() * 3)
        for (let j = 0; j < edits; j++) {
          const at = Math.floor(r() * text.length)
          const op = r()
          const ch = pick(r, MUTATIONS)
          text =
            op < 0.5
              ? text.slice(0, at) + ch + text.slice(at)
              : text.slice(0, at) + (op < 0.8 ? '' : ch) + text.slice(at + 1)
        }
        const f = fast(text)
        if (f === 'declined') continue
        read++
        const s = slow(text)
        try {
          expect(f).toStrictEqual(s)
        } catch {
          if (failures.length < 5)
            failures.push(
              `${JSON.stringify(text)}\nfast: ${JSON.stringify(f)}\njs-yaml: ${JSON.stringify(s)}`,
            )
        }
      }
      expect(failures, failures.join('\n\n')).toEqual([])
      expect(read).toBeGreaterThan(2_000)
    },
  )
})
