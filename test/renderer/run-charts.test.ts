import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Histogram, Throughput } from '../../src/renderer/runner/RunCharts'
import type { RunStats } from '../../src/shared/run-schemas'

/** The run charts' hover titles: one text each, read by a person hovering a bar, and no React warnings. */

const stats: RunStats = {
  total: 3,
  passed: 3,
  failed: 0,
  errors: 0,
  p50: 4,
  p90: 9,
  p99: 9,
  max: 9,
  mean: 5,
  histogram: [
    { upToMs: 5, count: 2 },
    { upToMs: 10, count: 1 },
    { upToMs: null, count: 0 },
  ],
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('run charts', () => {
  it('titles each histogram bar with one sentence and warns about nothing', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const html = renderToStaticMarkup(createElement(Histogram, { stats }))
    expect(html).toContain('<title>2 requests up to 5.0 ms</title>')
    expect(html).toContain('<title>1 request up to 10 ms</title>')
    expect(errors).not.toHaveBeenCalled()
  })

  it('titles each throughput bar with one sentence and warns about nothing', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const html = renderToStaticMarkup(createElement(Throughput, { series: [{ t: 0, rps: 12 }] }))
    expect(html).toContain('<title>12 requests finished in second 1</title>')
    expect(errors).not.toHaveBeenCalled()
  })
})

describe('run chart axis', () => {
  it('digit-groups the y-axis labels and widens their column to the longest', () => {
    const big: RunStats = { ...stats, total: 12_000, histogram: [{ upToMs: 50, count: 12_000 }] }
    const html = renderToStaticMarkup(createElement(Histogram, { stats: big }))
    expect(html).toContain('>20,000</text>')
    expect(html).toContain('>10,000</text>')
    // Seven px a character and the 4 px gaps either side: "20,000" ends 4 px left of the plot at 50.
    expect(html).toMatch(/<line class="grid" x1="50"/)
    expect(html).toMatch(/<text class="tick" x="46"[^>]*text-anchor="end">20,000</)
  })

  it('labels no gridline with a count the axis does not reach: a top of 1 reads 0 and 1, not 0, 1 and 1', () => {
    const one: RunStats = { ...stats, total: 1, histogram: [{ upToMs: 5, count: 1 }] }
    const ticks = (html: string): string[] =>
      [...html.matchAll(/<text class="tick"[^>]*text-anchor="end">([^<]*)</g)].map((m) => m[1] ?? '')
    expect(ticks(renderToStaticMarkup(createElement(Histogram, { stats: one })))).toEqual(['0', '1'])
    const many: RunStats = { ...stats, total: 24, histogram: [{ upToMs: 5, count: 24 }] }
    expect(ticks(renderToStaticMarkup(createElement(Histogram, { stats: many })))).toEqual(['0', '25'])
    const even: RunStats = { ...stats, total: 2, histogram: [{ upToMs: 5, count: 2 }] }
    expect(ticks(renderToStaticMarkup(createElement(Histogram, { stats: even })))).toEqual(['0', '1', '2'])
  })
})
