import type { TimelineBatch } from '../../shared/contract'
import { isInFlight, jobRunning, type SessionRow } from './session-row'
import { adoptSentRequests, insertAfter, isScriptChild, withScriptReport } from '../scripts/row-scripts'
import { nextRow } from './next-row'
import { noteApplied } from './timeline-changes'

/**
 * The timeline's state and its one reducer. The renderer applies a whole `timeline.batch` in one store update
 * (DESIGN.md, "The timeline"); this function is that update, pure so it can be tested without a UI.
 */
export interface TimelineState {
  readonly rows: Readonly<Record<string, SessionRow>>
  /**
   * Row ids in arrival order: the list the row view renders. The store's in-place applies append to it without
   * copying it, so its identity does not say it changed: `orderVersion` does.
   */
  readonly order: readonly string[]
  /** Changes whenever `order`'s entries do (a row listed, inserted or let go of); what readers of `order` watch. */
  readonly orderVersion: number
  /** Rows not yet done, errored, cancelled or redirected. */
  readonly inFlight: number
  /** Jobs and long polls still going (their first request may have ended long ago). */
  readonly jobsRunning: number
  /** Engine ms where the shared time axis starts: the first (remaining) session's queued t. */
  readonly origin: number | null
  /** Latest event t among the rows shown: where the axis ends when nothing is in flight. */
  readonly maxT: number | null
  /** Latest event t ever seen; never goes back, so it is a floor for the estimated engine clock. */
  readonly latestT: number
  /** Progress events the engine dropped under pressure, summed over all batches. */
  readonly dropped: number
  /** Finished rows let go of because the timeline passed MAX_TIMELINE_ROWS (oldest first). */
  readonly released: number
  readonly nextSeq: number
}

/**
 * Rows the timeline keeps. Past it the oldest finished rows go (in-flight, running jobs and pinned rows stay),
 * in steps of TRIM_STEP so the trim is rare; the engine keeps the same number of sessions' details and bodies.
 */
export const MAX_TIMELINE_ROWS = 20_000
const TRIM_STEP = 1_000

export const EMPTY_TIMELINE: TimelineState = {
  rows: {},
  order: [],
  orderVersion: 0,
  inFlight: 0,
  jobsRunning: 0,
  origin: null,
  maxT: null,
  latestT: 0,
  dropped: 0,
  released: 0,
  nextSeq: 0,
}

function pushTo(list: readonly string[] | undefined, sid: string): readonly string[] {
  return list ? [...list, sid] : [sid]
}

const NO_PINS: ReadonlySet<string> = new Set()

/**
 * Row containers this module made for the store's timeline, which `applyBatch(…, { inPlace: true })` may write
 * into. Copying the container for every batch cost the whole timeline per batch (a 15,000-row timeline: ~5 ms
 * a batch, dozens of batches a second during a burst), so the store's intake grew with the rows already shown.
 */
const WRITABLE_ROWS = new WeakSet<object>()

function writableRows(rows: Readonly<Record<string, SessionRow>>): Record<string, SessionRow> {
  if (WRITABLE_ROWS.has(rows)) return rows as Record<string, SessionRow>
  const copy = { ...rows }
  WRITABLE_ROWS.add(copy)
  return copy
}

/**
 * Order lists this module made for the store's timeline, which an in-place apply appends to (or inserts into)
 * instead of copying: a batch listing a new row copied all 15,000 ids (0.3-0.7 ms), many times a second in a
 * burst.
 */
const WRITABLE_ORDER = new WeakSet<readonly string[]>()

function writableOrder(order: readonly string[]): string[] {
  if (WRITABLE_ORDER.has(order)) return order as string[]
  const copy = [...order]
  WRITABLE_ORDER.add(copy)
  return copy
}

export interface ApplyOptions {
  /**
   * Write the batch's rows into the state's row container, and its new rows into the state's order, when an
   * earlier in-place apply made them, instead of copying them: a batch then costs its events, not the
   * timeline. The returned state is still a new object (identity tells subscribers something changed) and each
   * changed row is a new object, but `rows` and `order` keep their identity (`orderVersion` tells that the order
   * changed) and the state passed in must not be read again: the store, which keeps only the newest timeline,
   * is the one caller. Without it (tests, one-off callers) the function is pure.
   */
  inPlace?: boolean
}

export function applyBatch(
  state: TimelineState,
  batch: TimelineBatch,
  options: ApplyOptions = {},
): TimelineState {
  if (batch.events.length === 0 && batch.dropped === 0) return state
  // Copy the containers at most once per batch, not once per event (the rows not at all when in place).
  const rows: Record<string, SessionRow> = options.inPlace ? writableRows(state.rows) : { ...state.rows }
  let order: string[] | null = null
  const listedBefore = state.order.length
  const listing = (): string[] => (order ??= options.inPlace ? writableOrder(state.order) : [...state.order])
  let { inFlight, jobsRunning, origin, maxT, latestT, nextSeq } = state
  let changed = batch.dropped > 0
  // The rows written, and whether the order changed but at its end: what the concurrency strip reads again.
  const touched: string[] = []
  let reordered = false
  const put = (sid: string, row: SessionRow): void => {
    rows[sid] = row
    touched.push(sid)
  }
  const reorder = (): string[] => {
    reordered = true
    return listing()
  }

  for (const e of batch.events) {
    latestT = Math.max(latestT, e.t)
    const row = rows[e.sid]
    if (e.type === 'queued') {
      if (row) continue
      // A job's poll or a long poll's repeat is drawn on its first request's row, not a row of its own.
      const owner = e.lane !== undefined ? rows[e.lane] : undefined
      const laneOf = owner ? (owner.laneOf ?? owner.sid) : undefined
      const laneRow = laneOf !== undefined ? rows[laneOf] : undefined
      put(e.sid, {
        sid: e.sid,
        seq: nextSeq++,
        state: 'queued',
        status: null,
        lastT: e.t,
        end: null,
        queued: e,
        ...(laneRow ? { laneOf: laneRow.sid } : {}),
      })
      // A session a script sent (pm.sendRequest) is listed under the request whose script sent it.
      const parent = !laneRow && isScriptChild(e) ? rows[e.initiator ?? ''] : undefined
      // A stream the server pushed is listed under its request, after the ones pushed before it.
      const pusher = e.promised && e.initiator !== undefined ? rows[e.initiator] : undefined
      // A GraphQL operation over a shared WebSocket is a sibling lane under its connection's row.
      const carrier = !pusher && e.connection !== undefined ? rows[e.connection] : undefined
      if (laneRow) {
        put(laneRow.sid, {
          ...laneRow,
          members: pushTo(laneRow.members, e.sid),
          lastT: Math.max(laneRow.lastT, e.t),
        })
      } else if (parent) {
        put(e.sid, { ...(rows[e.sid] as SessionRow), scriptParent: parent.sid })
        insertAfter(reorder(), parent.lastScriptChild ?? parent.sid, e.sid)
        put(parent.sid, { ...parent, lastScriptChild: e.sid })
      } else if (pusher) {
        insertAfter(reorder(), pusher.lastPush ?? pusher.sid, e.sid)
        put(pusher.sid, { ...pusher, lastPush: e.sid })
      } else if (carrier) {
        const after =
          carrier.lastOperation !== undefined && rows[carrier.lastOperation]
            ? carrier.lastOperation
            : carrier.sid
        insertAfter(reorder(), after, e.sid)
        put(carrier.sid, { ...carrier, lastOperation: e.sid })
      } else {
        listing().push(e.sid)
      }
      // A webhook call ticks on the lane of the request that caused it.
      const cause = e.kind === 'webhook' && e.initiator !== undefined ? rows[e.initiator] : undefined
      if (cause) {
        const causeLane = rows[cause.laneOf ?? cause.sid] ?? cause
        put(causeLane.sid, { ...causeLane, hooks: pushTo(causeLane.hooks, e.sid) })
      }
      inFlight++
      origin = origin === null ? e.t : Math.min(origin, e.t)
      maxT = maxT === null ? e.t : Math.max(maxT, e.t)
      changed = true
      continue
    }
    // An event for a session we never saw queued (cleared, or from before this window opened): nothing to show.
    if (!row) continue
    if (e.type === 'job') {
      // Running jobs are counted apart from sessions: the axis keeps growing between their polls.
      const was = row.job?.state === 'running'
      const is = e.state === 'running'
      if (is && !was) jobsRunning++
      if (was && !is) jobsRunning--
      put(e.sid, { ...row, job: e, lastT: Math.max(row.lastT, e.t) })
      maxT = maxT === null ? e.t : Math.max(maxT, e.t)
      changed = true
      continue
    }
    if (e.type === 'script') {
      // Scripts never end a session; a post-response report may come after the exchange ended, and is kept.
      put(e.sid, {
        ...row,
        scripts: withScriptReport(row.scripts, e.report),
        lastT: Math.max(row.lastT, e.t),
      })
      // A pre-request script runs before its request is queued: the axis starts where it started, and the
      // requests it sent (queued before their parent, so unlinked) move under it.
      origin = origin === null ? e.report.start : Math.min(origin, e.report.start)
      if (e.report.sentRequests.length > 0)
        order = adoptSentRequests(rows, reorder(), e.sid, e.report.sentRequests)
      maxT = maxT === null ? e.t : Math.max(maxT, e.t)
      changed = true
      continue
    }
    if (e.type === 'graphql') {
      // A GraphQL result's errors, read after the exchange ended: the row keeps them to mark a 200 with errors.
      put(e.sid, { ...row, graphql: e })
      changed = true
      continue
    }
    const next = nextRow(row, e)
    if (!next) continue
    if (!isInFlight(next)) inFlight--
    put(e.sid, next)
    // The lane's row moves with its polls (its end, and a re-render of its bars).
    const lane = next.laneOf !== undefined ? rows[next.laneOf] : undefined
    if (lane && lane.lastT < next.lastT) put(lane.sid, { ...lane, lastT: next.lastT })
    maxT = maxT === null ? e.t : Math.max(maxT, e.t)
    changed = true
  }

  if (!changed) {
    if (latestT === state.latestT) return state
    const later = { ...state, latestT }
    noteApplied(state, later, listedBefore, [])
    return later
  }
  const after: TimelineState = {
    rows,
    order: order ?? state.order,
    orderVersion: order === null ? state.orderVersion : state.orderVersion + 1,
    inFlight,
    jobsRunning,
    origin,
    maxT,
    latestT,
    dropped: state.dropped + batch.dropped,
    released: state.released,
    nextSeq,
  }
  noteApplied(state, after, listedBefore, reordered ? null : touched)
  return after
}

/**
 * Remove finished rows (done, error, cancelled); rows still in flight stay, and so do pinned ones. The axis
 * restarts at what is left.
 */
export function clearFinished(state: TimelineState, pinned: ReadonlySet<string> = NO_PINS): TimelineState {
  const order = state.order.filter((sid) => {
    const row = state.rows[sid]
    return row !== undefined && (busy(state, row) || pinned.has(sid))
  })
  return keepOnly(state, order)
}

function busy(state: TimelineState, row: SessionRow): boolean {
  return (
    isInFlight(row) ||
    jobRunning(row) ||
    (row.members ?? []).some((m) => {
      const member = state.rows[m]
      return member !== undefined && isInFlight(member)
    })
  )
}

/**
 * Keep the timeline under `max` rows: once past it, let go of the oldest finished rows (not in flight, no
 * running job, not pinned) until `max - TRIM_STEP` are left, counting them in `released`.
 */
export function trimOldest(
  state: TimelineState,
  pinned: ReadonlySet<string> = NO_PINS,
  max = MAX_TIMELINE_ROWS,
  step = TRIM_STEP,
): TimelineState {
  if (state.order.length <= max) return state
  let excess = state.order.length - Math.max(0, max - step)
  const order: string[] = []
  for (const sid of state.order) {
    const row = state.rows[sid]
    if (row === undefined) continue
    if (excess > 0 && !busy(state, row) && !pinned.has(sid)) {
      excess--
      continue
    }
    order.push(sid)
  }
  const next = keepOnly(state, order)
  return { ...next, released: state.released + (state.order.length - order.length) }
}

/** The state with only `order`'s rows (and their lanes' members); the axis restarts at what is left. */
function keepOnly(state: TimelineState, order: string[]): TimelineState {
  if (order.length === state.order.length) return state
  const rows: Record<string, SessionRow> = {}
  let origin: number | null = null
  let maxT: number | null = null
  for (const sid of order) {
    const row = state.rows[sid]
    if (!row) continue
    rows[sid] = row
    // A lane keeps its polls; webhook calls it caused stay only if their own rows stay.
    for (const m of row.members ?? []) {
      const member = state.rows[m]
      if (member) rows[m] = member
    }
    origin = origin === null ? row.queued.t : Math.min(origin, row.queued.t)
    maxT = maxT === null ? row.lastT : Math.max(maxT, row.lastT)
  }
  return { ...state, rows, order, orderVersion: state.orderVersion + 1, origin, maxT }
}
