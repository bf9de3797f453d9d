import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_INDENT_LEVELS } from '../../src/engine/body-view/json-lines'
import { measureInChild, startDeepServer, type DeepCase, type DeepServer } from './deep-json-bodies'

/**
 * Deeply nested JSON in the pretty view, fetched from a real server through the engine in a child process
 * (deep-json-bodies.ts): the index must cost memory linear in the body, whatever its shape. A quadratic index
 * (a stack copy per 64 lines took 16 GB for the 2 MB body) gets the child killed at the resident-memory limit
 * instead of taking the machine down, and the case fails saying so.
 */

/** Node, tsx and the engine take about 150 MB before any body; a linear index adds a few MB. */
const RSS_LIMIT_MB = 700
/**
 * The child's bound is its CPU time (60 s; a case takes 5 to 15 s on a quiet machine); a case's, in wall time, is
 * three times that, for a runner whose cores other jobs share.
 */
const CASE_MS = 180_000

let server: DeepServer
beforeAll(async () => {
  server = await startDeepServer()
})
afterAll(async () => {
  await server.close()
})

describe('deeply nested JSON bodies in the pretty view', () => {
  it(
    'a 2 MB body nested 1,000,000 deep opens with the heap growing by at most 3x its size',
    async () => {
      const deep: DeepCase = { shape: 'arrays', depth: 1_000_000, bytes: 0 }
      const got = await measureInChild(server, [deep], { rssLimitMb: RSS_LIMIT_MB, timeoutMs: 60_000 })
      expect(got.killed).toBeNull()
      const [r] = got.reports
      expect(r).toMatchObject({
        size: 2_000_000,
        // One line per bracket, but the innermost pair is the empty array `[]`.
        lines: 1_999_999,
        // Line 0's fold reaches the last line; the view says the indentation is capped.
        firstClose: 1_999_998,
        lastLine: ']',
        invalid: null,
        indentCap: { levels: MAX_INDENT_LEVELS, deepest: 999_999 },
      })
      expect(r?.retainedBytes ?? Infinity).toBeLessThanOrEqual(3 * 2_000_000)
    },
    CASE_MS,
  )

  it(
    'objects in objects, mixed, wide and deep, many small objects and a cut-off body stay linear',
    async () => {
      const cases: DeepCase[] = [
        { shape: 'objects', depth: 300_000, bytes: 0 },
        { shape: 'mixed', depth: 300_000, bytes: 0 },
        // Past the body store's 8 MB in memory, so it goes to disk as it arrives, in frames of 20 KB and 1 byte.
        { shape: 'wide-deep', depth: 20_000, bytes: 16_000_000 },
        { shape: 'many-small', depth: 4, bytes: 1_000_000 },
        { shape: 'cut-off', depth: 1_000_000, bytes: 0 },
      ]
      const got = await measureInChild(server, cases, {
        rssLimitMb: RSS_LIMIT_MB,
        timeoutMs: 60_000,
        needle: '1',
      })
      expect(got.killed).toBeNull()
      const [objects, mixed, wide, small, cut] = got.reports
      for (const r of got.reports) expect(r.retainedBytes, r.shape).toBeLessThanOrEqual(3 * r.size)
      // The search finds the innermost value, 300,000 levels down, on its line.
      expect(objects).toMatchObject({
        lines: 600_001,
        firstClose: 600_000,
        lastLine: '}',
        searchLine: 300_000,
      })
      expect(mixed).toMatchObject({ lines: 600_001, firstClose: 600_000, lastLine: ']', searchLine: 300_000 })
      expect(wide).toMatchObject({ firstClose: (wide?.lines ?? 0) - 1, lastLine: ']', searchLine: -1 })
      expect(wide?.indentCap?.deepest).toBe(20_000)
      // Downloading it: the queued disk writes held small views of undici's multi-megabyte buffers (23x the body),
      // and woke the producer per chunk, which made undici copy its buffer per chunk (quadratic in time).
      expect(wide?.downloadPeakBytes ?? Infinity).toBeLessThanOrEqual(4 * (wide?.size ?? 0))
      expect(small).toMatchObject({ firstClose: (small?.lines ?? 0) - 1, indentCap: null, searchLine: 4 })
      // Cut off: not JSON, and said where; the viewer shows it as raw text with that message.
      expect(cut?.invalid).toBe('unexpected end of JSON')
    },
    CASE_MS,
  )
})
