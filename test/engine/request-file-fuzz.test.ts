import { describe, expect, it } from 'vitest'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { rng } from '../fixtures/seeded-random'
import { ownCpuMs } from '../helpers/cpu-bound'

/**
 * A request file read three ways must read the same: as written (the fast YAML reader and the check without zod
 * where they apply), with a comment appended (js-yaml reads it), and with an ignored key whose number keeps its
 * text appended (`zzNumber: 0123`: zod checks it). Files are drawn from a seeded grammar of what people write
 * by hand: odd scalars (`~`, `yes`, `0x10`, `1e3`, `"200"`), headers as a map or a list, every body, auth and
 * check kind the check without zod covers and some it does not, limits crossed, keys in any order.
 */

const SCALARS = [
  'x',
  'Item 1',
  '"quoted"',
  "'single'",
  '~',
  'null',
  'yes',
  'true',
  'False',
  '200',
  '"200"',
  '2e2',
  '0x10',
  '0123',
  '1.10',
  '-0',
  '.inf',
  '""',
  '"{{base}}/a"',
  '"a: b"',
  '"\\u00e9t\\u00e9"',
  'é',
  '"\\ud83d\\ude00"',
]

function file(random: () => number): string {
  const pick = <T>(l: readonly T[]): T => l[Math.floor(random() * l.length)] as T
  const maybe = (p: number): boolean => random() < p
  const lines: string[][] = []
  const scalar = (): string => pick(SCALARS)
  if (maybe(0.8)) lines.push([`name: ${maybe(0.7) ? 'Item' : scalar()}`])
  if (maybe(0.3)) lines.push([`kind: ${pick(['http', 'sse', 'ws', 'mqtt', 'grpc', 'nope', '~'])}`])
  if (maybe(0.8)) lines.push([`method: ${pick(['get', 'POST', 'PUT', '"G T"', '~', '123', 'M-SEARCH'])}`])
  if (maybe(0.9)) lines.push([`url: ${maybe(0.7) ? '"{{base}}/items/1"' : scalar()}`])
  if (maybe(0.3)) lines.push([`description: ${scalar()}`])
  if (maybe(0.6)) {
    const h = ['headers:']
    const n = Math.floor(random() * 3)
    if (maybe(0.5)) for (let i = 0; i < n; i++) h.push(`  H${i}: ${scalar()}`)
    else
      for (let i = 0; i < n; i++)
        h.push(
          `  - name: H${i}`,
          `    value: ${scalar()}`,
          `    enabled: ${pick(['true', 'false', 'yes', '1'])}`,
        )
    if (n === 0) h[0] = `headers: ${pick(['[]', '{}', '~', 'x'])}`
    lines.push(h)
  }
  if (maybe(0.5)) {
    const kind = pick(['none', 'json', 'text', 'form', 'file', 'multipart', 'weird'])
    const b = ['body:', `  kind: ${kind}`]
    if (kind === 'json' || kind === 'text') b.push(`  text: ${scalar()}`)
    if (kind === 'text' && maybe(0.5)) b.push(`  contentType: ${scalar()}`)
    if (kind === 'form')
      b.push('  fields:', '    - name: a', `      value: ${scalar()}`, '      enabled: true')
    if (kind === 'file') b.push('  path: data.bin')
    if (maybe(0.2)) b.push(`  extra: ${scalar()}`)
    lines.push(b)
  }
  if (maybe(0.5)) {
    const type = pick(['inherit', 'none', 'bearer', 'basic', 'digest', 'apikey', 'oauth2', 'weird'])
    const a = ['auth:', `  type: ${type}`]
    if (type === 'bearer') a.push(`  token: ${scalar()}`)
    if (type === 'basic' || type === 'digest') a.push(`  username: ${scalar()}`, `  password: ${scalar()}`)
    if (type === 'apikey')
      a.push('  key: k', `  value: ${scalar()}`, `  in: ${pick(['header', 'query', 'cookie'])}`)
    lines.push(a)
  }
  if (maybe(0.5)) {
    const c = ['assertions:']
    const n = 1 + Math.floor(random() * 3)
    for (let i = 0; i < n; i++) {
      const kind = pick(['status', 'header', 'body-contains', 'json', 'duration-under'])
      c.push(`  - kind: ${kind}`)
      if (kind === 'status')
        c.push(
          `    ${pick(['equals', 'min', 'max'])}: ${pick(['200', '"200"', '2e2', '0x10', '99', '200.5', '~'])}`,
        )
      if (kind === 'header') c.push(`    name: ${scalar()}`, `    contains: ${scalar()}`)
      if (kind === 'body-contains') c.push(`    text: ${scalar()}`)
      if (kind === 'json') c.push('    path: $.a', `    equals: ${scalar()}`)
      if (kind === 'duration-under') c.push('    ms: 100')
      if (maybe(0.1)) c.push('    extra: 1')
    }
    lines.push(c)
  }
  if (maybe(0.3))
    lines.push(['scripts:', `  test: ${scalar()}`, ...(maybe(0.3) ? ['  translated: yes'] : [])])
  if (maybe(0.2)) lines.push([`dependsOn: ${pick(['login', '[a.yaml, b.yaml]', '~', '""'])}`])
  if (maybe(0.2)) lines.push([`protocols: ${pick(['[chat]', '[]', 'chat'])}`])
  if (maybe(0.2)) lines.push(['messages:', '  - name: m', `    text: ${scalar()}`])
  if (maybe(0.1)) lines.push(['trace: inherit'])
  if (maybe(0.1)) lines.push([`zzUnknown: ${scalar()}`])
  // Keys in any order.
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[lines[i], lines[j]] = [lines[j] as string[], lines[i] as string[]]
  }
  return lines.flat().join('\n') + '\n'
}

/**
 * The 500 rounds take ~1.5 s of CPU; on a loaded two-core runner (load 23) that was 22.6 s of wall time, so the
 * fuzz is bounded by the CPU it spends (a reader gone slow on some file fails here, naming the round) and the
 * wall timeout is only a ceiling for a machine that gives this process no core at all.
 */
const FUZZ_CPU_MS = 20_000

describe('a request file read the fast way, through js-yaml and through zod', () => {
  it(
    'reads the same value, or the same problem, over a seeded fuzz of hand-written files',
    { timeout: 240_000 },
    () => {
      const random = rng(0xf11e)
      const cpuEnd = ownCpuMs() + FUZZ_CPU_MS
      let read = 0
      let refused = 0
      for (let round = 0; round < 500; round++) {
        if (ownCpuMs() > cpuEnd)
          throw new Error(`the fuzz spent over ${FUZZ_CPU_MS} ms of CPU time by round ${round}`)
        const text = file(random)
        const fast = parseRequestText(text, 'stem')
        const viaJsYaml = parseRequestText(`${text}# a comment\n`, 'stem')
        const viaZod = parseRequestText(`${text}zzNumber: 0123\n`, 'stem')
        const where = `round ${round}:\n${text}`
        expect(JSON.stringify(viaJsYaml), where).toBe(JSON.stringify(fast))
        if (fast.ok) {
          expect(JSON.stringify(viaZod), where).toBe(JSON.stringify(fast))
          read++
        } else {
          // The problem is zod's either way: the same words (the appended line may move nothing before it).
          expect(viaZod.ok, where).toBe(false)
          if (!viaZod.ok) expect(viaZod.problem.message, where).toBe(fast.problem.message)
          refused++
        }
      }
      expect(read).toBeGreaterThan(50)
      expect(refused).toBeGreaterThan(50)
    },
  )
})
