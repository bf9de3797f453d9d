import type { TimelineState } from './apply-batch'

/**
 * What the batches applied between two timeline states changed, for a reader that keeps something per row and
 * would otherwise look every row up again for each new state (the concurrency strip: 10,000 rows in flight early
 * in a burst, read anew each recount).
 *
 * `applyBatch` notes each step it makes: the rows it wrote and whether the order only grew at its end. Steps are
 * chained by version, never by reference, so a kept state does not keep the states before it; a lineage (the
 * states one store made, batch after batch) holds its newest steps up to MAX_NOTED_SIDS written sids and
 * MAX_NOTED_STEPS steps, and a reader further behind than that, or a state no step made (a clear, a trim, a
 * restored timeline), starts over.
 */
export interface TimelineChanges {
  /** How many of the later state's first order entries are the earlier state's order, unchanged. */
  readonly listed: number
  /** Sids whose rows may differ, in any order, possibly repeated; some may be rows not listed (a lane's polls). */
  readonly touched: readonly (readonly string[])[]
}

interface Step {
  readonly from: number
  readonly listedBefore: number
  readonly touched: readonly string[]
}

interface Lineage {
  readonly steps: Map<number, Step>
  /** Versions of the steps held, oldest first, from `head`. */
  readonly queue: number[]
  head: number
  noted: number
  nextVersion: number
}

interface Mark {
  readonly lineage: Lineage
  readonly version: number
}

/** The written sids a lineage holds: a few seconds of a 1,000-in-flight burst, a few hundred KB of references. */
export const MAX_NOTED_SIDS = 60_000
/**
 * The steps it holds: half a minute of batches a frame. A reader walks the steps since it last read; one away
 * for longer (a hidden page applies every batch and paints nothing) reads every row instead, as cheaply.
 */
export const MAX_NOTED_STEPS = 2_048

const MARKS = new WeakMap<TimelineState, Mark>()

function markOf(state: TimelineState): Mark {
  const known = MARKS.get(state)
  if (known) return known
  const lineage: Lineage = { steps: new Map(), queue: [], head: 0, noted: 0, nextVersion: 1 }
  const mark = { lineage, version: lineage.nextVersion++ }
  MARKS.set(state, mark)
  return mark
}

/**
 * Notes that `to` is `from` with the rows of `touched` written and `from`'s order, then `listedBefore` long
 * (an in-place apply extends the same list), extended at its end; `touched` null when the order changed
 * otherwise (a row inserted or moved): readers of `to` start over.
 */
export function noteApplied(
  from: TimelineState,
  to: TimelineState,
  listedBefore: number,
  touched: readonly string[] | null,
): void {
  if (to === from || touched === null) return
  const { lineage, version } = markOf(from)
  const next = lineage.nextVersion++
  MARKS.set(to, { lineage, version: next })
  lineage.steps.set(next, { from: version, listedBefore, touched })
  lineage.queue.push(next)
  lineage.noted += touched.length
  while (
    (lineage.noted > MAX_NOTED_SIDS || lineage.queue.length - lineage.head > MAX_NOTED_STEPS) &&
    lineage.head < lineage.queue.length - 1
  ) {
    const old = lineage.queue[lineage.head++] as number
    lineage.noted -= lineage.steps.get(old)?.touched.length ?? 0
    lineage.steps.delete(old)
  }
  if (lineage.head > 1024) {
    lineage.queue.splice(0, lineage.head)
    lineage.head = 0
  }
}

/** What changed from `from` to `to`; null when not known (the reader starts over). */
export function changesBetween(from: TimelineState, to: TimelineState): TimelineChanges | null {
  const start = MARKS.get(from)
  const end = MARKS.get(to)
  if (!start || !end || start.lineage !== end.lineage || end.version < start.version) return null
  const touched: (readonly string[])[] = []
  let listed = to.order.length
  let version = end.version
  while (version !== start.version) {
    const step = end.lineage.steps.get(version)
    if (!step || step.from < start.version) return null
    touched.push(step.touched)
    listed = Math.min(listed, step.listedBefore)
    version = step.from
  }
  return { listed, touched }
}
