import { describe, expect, it } from 'vitest'
import type { ScriptPhaseReport } from '../../src/shared/scripts'
import type { TimelineEvent } from '../../src/shared/timeline'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { consoleMarks, scriptRects } from '../../src/renderer/scripts/script-paint'
import { freshHttpsExchange } from './event-builders'

function report(phase: 'pre' | 'post', start: number, end: number, extra: Partial<ScriptPhaseReport> = {}) {
  return { phase, start, end, tests: [], console: [], droppedConsole: 0, sentRequests: [], ...extra }
}

/** An exchange queued at 100 (done at 184) whose pre-request script ran 100-104 and post-response 184-190. */
function scriptedRow(pre: Partial<ScriptPhaseReport> = {}, post: Partial<ScriptPhaseReport> = {}) {
  const events: TimelineEvent[] = [
    ...freshHttpsExchange('s1', 100),
    { type: 'script', sid: 's1', t: 104, report: report('pre', 100, 104, pre) },
    { type: 'script', sid: 's1', t: 190, report: report('post', 184, 190, post) },
  ]
  const row = applyBatch(EMPTY_TIMELINE, { events, dropped: 0 }).rows.s1
  if (!row) throw new Error('no row')
  return row
}

// 1 px per ms from t = 100.
const x = (t: number): number => t - 100

describe('script time and console on the lane', () => {
  it('draws a segment before the request and one after the response', () => {
    expect(scriptRects(scriptedRow(), x, 500)).toEqual([
      { phase: 'pre', x: 0, w: 4 },
      { phase: 'post', x: 84, w: 6 },
    ])
  })

  it('keeps a very short script visible (2 px) and leaves out what is off screen', () => {
    const row = scriptedRow({ end: 100.01 })
    expect(scriptRects(row, x, 500)[0]).toEqual({ phase: 'pre', x: 0, w: 2 })
    expect(scriptRects(row, x, 50).map((r) => r.phase)).toEqual(['pre'])
  })

  it('marks where each phase first logged, coloured by its worst level', () => {
    const row = scriptedRow(
      { console: [{ level: 'log', text: 'a', t: 101 }] },
      {
        console: [
          { level: 'info', text: 'b', t: 186 },
          { level: 'warn', text: 'c', t: 187 },
        ],
        droppedConsole: 5,
      },
    )
    expect(consoleMarks(row, x, 500)).toEqual([
      { phase: 'pre', x: 3, level: 'log', count: 1 },
      { phase: 'post', x: 86, level: 'warn', count: 7 },
    ])
    expect(consoleMarks(scriptedRow(), x, 500)).toEqual([])
  })
})
