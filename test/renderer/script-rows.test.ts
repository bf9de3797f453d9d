import { describe, expect, it } from 'vitest'
import type { ScriptPhaseReport } from '../../src/shared/scripts'
import type { TimelineEvent } from '../../src/shared/timeline'
import { applyBatch, EMPTY_TIMELINE, type TimelineState } from '../../src/renderer/timeline/apply-batch'
import { MAX_ROW_CONSOLE, scriptCounts, scriptRowBadge } from '../../src/renderer/scripts/row-scripts'
import { freshHttpsExchange, queued } from './event-builders'

/** A script phase's report as the engine sends it. */
export function report(
  phase: 'pre' | 'post',
  start: number,
  end: number,
  extra: Partial<ScriptPhaseReport> = {},
) {
  return { phase, start, end, tests: [], console: [], droppedConsole: 0, sentRequests: [], ...extra }
}

function scriptEvent(sid: string, t: number, r: ScriptPhaseReport): TimelineEvent {
  return { type: 'script', sid, t, report: r }
}

const apply = (s: TimelineState, events: TimelineEvent[]): TimelineState =>
  applyBatch(s, { events, dropped: 0 })

function row(s: TimelineState, sid: string) {
  const r = s.rows[sid]
  if (!r) throw new Error(`no row ${sid}`)
  return r
}

describe('script reports on timeline rows', () => {
  it('keeps each phase report, also a post-response report that comes after the exchange ended', () => {
    const ex = freshHttpsExchange('s1', 100)
    let s = apply(EMPTY_TIMELINE, ex)
    expect(row(s, 's1').state).toBe('done')
    s = apply(s, [
      scriptEvent(
        's1',
        190,
        report('post', 184, 190, {
          tests: [
            { name: 'status is 200', passed: true },
            { name: 'has id', passed: false, error: 'expected undefined to exist' },
            { name: 'later', passed: false, skipped: true },
          ],
          console: [{ level: 'log', text: 'hello', t: 186 }],
          droppedConsole: 3,
        }),
      ),
    ])
    const r = row(s, 's1')
    expect(r.state).toBe('done')
    expect(r.lastT).toBe(190)
    expect(s.maxT).toBe(190)
    expect(scriptCounts(r.scripts ?? {})).toMatchObject({
      passed: 1,
      failed: 1,
      skipped: 1,
      console: 4,
      ms: 6,
    })
  })

  it('keeps at most MAX_ROW_CONSOLE console lines per phase and counts the rest', () => {
    let s = apply(EMPTY_TIMELINE, [queued('s1', 0)])
    const lines = Array.from({ length: MAX_ROW_CONSOLE + 50 }, (_, i) => ({
      level: 'log' as const,
      text: `l${i}`,
      t: 1,
    }))
    s = apply(s, [scriptEvent('s1', 2, report('pre', 0, 2, { console: lines, droppedConsole: 10 }))])
    const pre = row(s, 's1').scripts?.pre
    expect(pre?.console.length).toBe(MAX_ROW_CONSOLE)
    expect(pre?.droppedConsole).toBe(60)
    // A phase reporting again replaces its report: a row never holds more than one per phase.
    s = apply(s, [scriptEvent('s1', 3, report('pre', 2, 3))])
    expect(row(s, 's1').scripts?.pre?.console.length).toBe(0)
    expect(row(s, 's1').state).toBe('queued')
  })

  it('lists sessions a script sent under the request that sent them', () => {
    let s = apply(EMPTY_TIMELINE, [queued('p', 0), queued('other', 1)])
    s = apply(s, [queued('c1', 2, { initiator: 'p' }), queued('c2', 3, { initiator: 'p' })])
    expect(s.order).toEqual(['p', 'c1', 'c2', 'other'])
    expect(row(s, 'c1').scriptParent).toBe('p')
    // A redirect hop and a job's poll are not script children.
    s = apply(s, [
      queued('hop', 4, { initiator: 'other', hop: 1 }),
      queued('poll', 5, { initiator: 'other', lane: 'other' }),
    ])
    expect(row(s, 'hop').scriptParent).toBeUndefined()
    s = apply(s, [queued('pushed', 6, { initiator: 'p', promised: [[':path', '/style.css']] })])
    expect(row(s, 'pushed').scriptParent).toBeUndefined()
    // A pushed stream is listed under its request too, as a push (push-rows.test.ts).
    expect(s.order).toEqual(['p', 'pushed', 'c1', 'c2', 'other', 'hop'])
  })

  it('moves requests a pre-request script sent (queued before their parent) under the parent when its report comes', () => {
    let s = apply(EMPTY_TIMELINE, [queued('before', 0), queued('c1', 12), queued('c2', 14)])
    expect(s.order).toEqual(['before', 'c1', 'c2'])
    s = apply(s, [
      queued('p', 20),
      scriptEvent('p', 20, report('pre', 10, 19, { sentRequests: ['c1', 'c2'] })),
      queued('after', 21),
    ])
    expect(s.order).toEqual(['before', 'p', 'c1', 'c2', 'after'])
    expect(row(s, 'c2').scriptParent).toBe('p')
    // Listed once each, however often the report comes.
    s = apply(s, [scriptEvent('p', 22, report('pre', 10, 19, { sentRequests: ['c1', 'c2'] }))])
    expect(s.order).toEqual(['before', 'p', 'c1', 'c2', 'after'])
  })

  it('starts the axis where a pre-request script started, before its request was queued', () => {
    const s = apply(EMPTY_TIMELINE, [queued('p', 20), scriptEvent('p', 20, report('pre', 5, 19))])
    expect(s.origin).toBe(5)
  })

  it('badges a row whose tests failed or whose script was stopped, naming the first failure', () => {
    let s = apply(EMPTY_TIMELINE, [queued('s1', 0)])
    s = apply(s, [scriptEvent('s1', 1, report('post', 0, 1, { tests: [{ name: 'ok', passed: true }] }))])
    expect(scriptRowBadge(row(s, 's1').scripts)).toBeNull()
    s = apply(s, [
      scriptEvent(
        's1',
        2,
        report('post', 1, 2, {
          tests: [{ name: 'has id', passed: false, error: 'expected undefined to exist' }],
        }),
      ),
    ])
    expect(scriptRowBadge(row(s, 's1').scripts)).toEqual({
      text: 'tests ✗ 1',
      title: 'has id: expected undefined to exist',
    })
    s = apply(s, [
      scriptEvent(
        's1',
        3,
        report('pre', 0, 3, { failure: { kind: 'timeout', message: 'CPU time over 2 s' } }),
      ),
    ])
    expect(scriptRowBadge(row(s, 's1').scripts)).toEqual({
      text: 'script stopped',
      title: 'Pre-request script: CPU time over 2 s',
    })
  })
})
