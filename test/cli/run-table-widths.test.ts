import { describe, expect, it } from 'vitest'
import { summaryText, type RunOutcome } from '../../src/cli/run-report'
import type { RequestSummary } from '../../src/shared/run-schemas'

/**
 * The run table's columns line up by characters as a terminal shows them: a request path with letters outside the
 * Basic Multilingual Plane (two UTF-16 units each) is as wide as its characters, not its units, like a plain one.
 */

function row(path: string): RequestSummary {
  return {
    stepId: path,
    name: path,
    path,
    passed: 1,
    failed: 0,
    responses: 1,
    p50: 8,
    p90: 9,
    p99: 9,
    max: 9,
  }
}

function table(paths: readonly string[]): string[] {
  const outcome: RunOutcome = {
    collection: 'Widths',
    dir: '/c',
    path: '',
    startedAt: 0,
    total: paths.length,
    iterations: 1,
    steps: [],
    requests: paths.map(row),
    results: [],
    finished: {
      stats: {
        total: paths.length,
        passed: paths.length,
        failed: 0,
        errors: 0,
        p50: 8,
        p90: 9,
        p99: 9,
        max: 9,
        mean: 8,
        histogram: [],
      },
      throughput: [],
      bailed: false,
      cancelled: false,
      durationMs: 100,
    },
    tallied: { done: paths.length, failed: 0, failures: [], jobs: [] },
  }
  return summaryText(outcome).split('\n')
}

/** Where the "Passed" count of a path's row starts, counted in characters. */
function passedColumn(lines: readonly string[], path: string): number {
  const line = lines.find((l) => l.startsWith(`✓ ${path} `))
  if (line === undefined) throw new Error(`no row for ${path}`)
  const chars = [...line]
  return chars.findIndex((c, i) => i > [...path].length + 2 && c === '1')
}

describe('the run table', () => {
  it('lines up rows whose paths have astral characters with plain ones, by characters', () => {
    const paths = ['plain/get-user.yaml', 'emoji/🚀-launch.yaml', 'math/𝔸𝔹ℂ.yaml', 'accents/café-ñ.yaml']
    const lines = table(paths)
    const header = lines.find((l) => l.includes('Request') && l.includes('Passed')) as string
    const headerPassedEnd = [...header].indexOf('P') + 'Passed'.length
    const columns = paths.map((p) => passedColumn(lines, p))
    expect(new Set(columns).size).toBe(1)
    // Right-aligned under "Passed": the count's one digit ends where the header's word does.
    expect((columns[0] as number) + 1).toBe(headerPassedEnd)
  })

  it('sizes the name column by the longest path in characters, up to 60', () => {
    const astral = `${'𝔸'.repeat(40)}.yaml`
    const lines = table([astral, 'a.yaml'])
    const header = lines.find((l) => l.includes('Request') && l.includes('Passed')) as string
    // Two for the mark's place, the name column, a space, then "Passed" right-aligned in 7.
    expect([...header].indexOf('P')).toBe(2 + [...astral].length + 1 + 1)
    const long = `${'𝔸'.repeat(70)}.yaml`
    const capped = table([long, 'a.yaml'])
    const capHeader = capped.find((l) => l.includes('Request') && l.includes('Passed')) as string
    expect([...capHeader].indexOf('P')).toBe(2 + 60 + 1 + 1)
  })
})
