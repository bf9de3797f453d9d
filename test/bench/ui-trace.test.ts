import { describe, expect, it } from 'vitest'
import { longestTasks, type TraceEvent } from '../../bench/ui-trace'

/**
 * The UI bench's trace summary names the functions a long task spent its JS in. It credited each JS sample
 * with the wall time to the next sample, so a sample taken just before the page's thread waited for a core took
 * that whole wait: on a loaded machine a 13 ms task was said to hold 69 ms of JS (a row component 18.6 ms of
 * it), which no profile of the burst showed. A task's JS is its script CPU, shared by its samples.
 */

const ORIGIN = 'http://127.0.0.1:4000'
const page = { pid: 1, tid: 7 }

/** One task: 60 ms of wall time, 10 ms of CPU, all of it script; JS samples every 0.2 ms but one long gap. */
function trace(): TraceEvent[] {
  const start = 1_000_000
  const leaves: number[] = []
  const deltas: number[] = []
  // 40 samples in rowA, one in rowB, then the thread waits 45 ms for a core, then 9 more in rowA.
  const sample = (leaf: number, delta: number): void => {
    leaves.push(leaf)
    deltas.push(delta)
  }
  for (let i = 0; i < 40; i++) sample(3, 200)
  sample(4, 200)
  for (let i = 0; i < 9; i++) sample(3, i === 0 ? 45_000 : 200)
  return [
    { name: 'RunTask', ph: 'X', ...page, ts: start, dur: 60_000, tdur: 10_000 },
    {
      name: 'FunctionCall',
      ph: 'X',
      ...page,
      ts: start + 10,
      dur: 59_980,
      tdur: 9_990,
      args: { data: { functionName: 'paint', url: `${ORIGIN}/assets/index.js` } },
    },
    { name: 'Profile', ph: 'P', ...page, id: '0x1', ts: start, args: { data: { startTime: start } } },
    {
      name: 'ProfileChunk',
      ph: 'P',
      ...page,
      id: '0x1',
      ts: start + 60_000,
      args: {
        data: {
          cpuProfile: {
            nodes: [
              { id: 1, callFrame: { functionName: '(root)' } },
              { id: 2, parent: 1, callFrame: { functionName: 'paint', url: `${ORIGIN}/assets/index.js` } },
              { id: 3, parent: 2, callFrame: { functionName: 'rowA', url: `${ORIGIN}/assets/index.js` } },
              { id: 4, parent: 2, callFrame: { functionName: 'rowB', url: `${ORIGIN}/assets/index.js` } },
            ],
            samples: leaves,
          },
          timeDeltas: deltas,
        },
      },
    },
  ]
}

describe('the UI bench trace summary', () => {
  it("credits a task's functions with its script CPU by their samples, not with a wait for a core", () => {
    const [task] = longestTasks(trace(), ORIGIN, 1)
    expect(task?.cpuMs).toBe(10)
    const fns = new Map(task?.functions.map(([name, ms, samples]) => [name.split(' ')[0], { ms, samples }]))
    const total = [...fns.values()].reduce((sum, f) => sum + f.ms, 0)
    expect(total).toBeLessThanOrEqual(10.05)
    // 49 of 50 samples in rowA, 1 in rowB: rowB is ~0.2 ms of the 10, not the 45 ms wait after its sample.
    expect(fns.get('rowA')).toEqual({ ms: 9.8, samples: 49 })
    expect(fns.get('rowB')).toEqual({ ms: 0.2, samples: 1 })
  })
})
