import type { TimelineBatch } from '../../shared/contract'
import { MAX_KEPT_INFORMATIONAL, type InformationalEvent, type TimelineEvent } from '../../shared/timeline'
import {
  isInFlight,
  jobRunning,
  type InformationalSummary,
  type RowState,
  type SessionRow,
} from './session-row'
import { adoptSentRequests, insertAfter, isScriptChild, withScriptReport } from '../scripts/row-scripts'

/**
 * The timeline's state and its one reducer. The renderer applies a whole `timeline.batch` in one store update
 * (DESIGN.md, "The timeline"); this function is that update, pure so it can be tested without a UI.
 */
export interface TimelineState {
  readonly rows: Readonly<Record<string, SessionRow>>
  /** Row ids in arrival order: the list a (later, virtualised) row view renders. */
  readonly order: readonly string[]
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
  inFlight: 0,
  jobsRunning: 0,
  origin: null,
  maxT: null,
  latestT: 0,
  dropped: 0,
  released: 0,
  nextSeq: 0,
}

function stateAfter(row: SessionRow, e: TimelineEvent): RowState {
  switch (e.type) {
    case 'done':
    case 'redirect':
      return 'done'
    case 'error':
      return 'error'
    case 'cancelled':
      return 'cancelled'
    case 'webhook-call':
      return 'done'
    case 'queued':
      return 'queued'
    default:
      return row.state === 'queued' ? 'active' : row.state
  }
}

/**
 * The row after one event; null when the event changes nothing (late, duplicate). Each case copies the row once:
 * a burst brings tens of thousands of events, and a copy for the common fields and another for the event's own
 * doubled the garbage a batch leaves (young-generation collections ran inside the batches' tasks).
 */
function nextRow(row: SessionRow, e: TimelineEvent): SessionRow | null {
  if (!isInFlight(row)) return null
  const lastT = Math.max(row.lastT, e.t)
  const state = stateAfter(row, e)
  switch (e.type) {
    case 'queued':
      return null
    case 'dns':
      return { ...row, lastT, state, dns: e }
    case 'connect':
      return { ...row, lastT, state, connect: e }
    case 'tls':
      return { ...row, lastT, state, tls: e }
    case 'request-sent':
      return { ...row, lastT, state, sent: e }
    case 'response-headers':
      return { ...row, lastT, state, response: e, status: e.status }
    case 'informational':
      // Counted already (a timeline replay over live batches brings the same ones again).
      if (row.informational && e.count <= row.informational.count) return null
      // An interim response is not the response: the status stays unset and the row keeps waiting.
      return { ...row, lastT, state, informational: withInformational(row.informational, e) }
    case 'body-progress':
      return { ...row, lastT, state, progress: e }
    case 'redirect':
      return { ...row, lastT, state, terminal: e, status: e.status, end: e.t }
    case 'done':
      return { ...row, lastT, state, terminal: e, status: e.status, end: e.t }
    case 'error':
    case 'cancelled':
      return { ...row, lastT, state, terminal: e, end: e.t }
    // Stream sessions: messages and reconnects only move the row's lastT; their ticks and markers
    // live in the streams slice (src/renderer/streams).
    case 'stream-open':
      // An operation over a shared connection has no handshake of its own: its opening says the status.
      return row.status === null && row.queued.connection !== undefined
        ? { ...row, lastT, state, status: e.status }
        : { ...row, lastT, state }
    case 'sse-event':
    case 'ws-message':
    case 'retry':
    case 'stream-closed':
      return { ...row, lastT, state }
    case 'webhook-call':
      return { ...row, lastT, state, webhook: e, end: e.t }
    // Job events are applied before this (they arrive after the starting exchange ended).
    case 'job':
      return null
    // Script reports are applied before this (a post-response script may report after the exchange ended).
    case 'script':
      return null
    // A GraphQL result is applied before this too (it arrives after the exchange ended).
    case 'graphql':
      return null
  }
}

/** The summary after one informational event: its headers kept while under the bound, its count taken. */
function withInformational(
  prev: InformationalSummary | undefined,
  e: InformationalEvent,
): InformationalSummary {
  const kept = prev?.kept ?? []
  const keep = e.headers !== undefined && kept.length < MAX_KEPT_INFORMATIONAL
  return {
    kept: keep
      ? [
          ...kept,
          {
            t: e.t,
            status: e.status,
            statusText: e.statusText,
            headers: e.headers ?? [],
            ...(e.note !== undefined ? { note: e.note } : {}),
          },
        ]
      : kept,
    count: Math.max(prev?.count ?? 0, e.count),
    status: e.status,
    statusText: e.statusText,
    lastT: e.t,
  }
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

export interface ApplyOptions {
  /**
   * Write the batch's rows into the state's row container when an earlier in-place apply made it, instead of
   * copying it: a batch then costs its events, not the timeline. The returned state is still a new object
   * (identity tells subscribers something changed) and each changed row is a new object, but `rows` keeps its
   * identity and the state passed in must not be read again: the store, which keeps only the newest timeline,
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
  let { inFlight, jobsRunning, origin, maxT, latestT, nextSeq } = state
  let changed = batch.dropped > 0

  for (const e of batch.events) {
    latestT = Math.max(latestT, e.t)
    const row = rows[e.sid]
    if (e.type === 'queued') {
      if (row) continue
      // A job's poll or a long poll's repeat is drawn on its first request's row, not a row of its own.
      const owner = e.lane !== undefined ? rows[e.lane] : undefined
      const laneOf = owner ? (owner.laneOf ?? owner.sid) : undefined
      const laneRow = laneOf !== undefined ? rows[laneOf] : undefined
      rows[e.sid] = {
        sid: e.sid,
        seq: nextSeq++,
        state: 'queued',
        status: null,
        lastT: e.t,
        end: null,
        queued: e,
        ...(laneRow ? { laneOf: laneRow.sid } : {}),
      }
      // A session a script sent (pm.sendRequest) is listed under the request whose script sent it.
      const parent = !laneRow && isScriptChild(e) ? rows[e.initiator ?? ''] : undefined
      // A stream the server pushed is listed under its request, after the ones pushed before it.
      const pusher = e.promised && e.initiator !== undefined ? rows[e.initiator] : undefined
      // A GraphQL operation over a shared WebSocket is a sibling lane under its connection's row.
      const carrier = !pusher && e.connection !== undefined ? rows[e.connection] : undefined
      if (laneRow) {
        rows[laneRow.sid] = {
          ...laneRow,
          members: pushTo(laneRow.members, e.sid),
          lastT: Math.max(laneRow.lastT, e.t),
        }
      } else if (parent) {
        rows[e.sid] = { ...(rows[e.sid] as SessionRow), scriptParent: parent.sid }
        insertAfter((order ??= [...state.order]), parent.lastScriptChild ?? parent.sid, e.sid)
        rows[parent.sid] = { ...parent, lastScriptChild: e.sid }
      } else if (pusher) {
        insertAfter((order ??= [...state.order]), pusher.lastPush ?? pusher.sid, e.sid)
        rows[pusher.sid] = { ...pusher, lastPush: e.sid }
      } else if (carrier) {
        const after =
          carrier.lastOperation !== undefined && rows[carrier.lastOperation]
            ? carrier.lastOperation
            : carrier.sid
        insertAfter((order ??= [...state.order]), after, e.sid)
        rows[carrier.sid] = { ...carrier, lastOperation: e.sid }
      } else {
        ;(order ??= [...state.order]).push(e.sid)
      }
      // A webhook call ticks on the lane of the request that caused it.
      const cause = e.kind === 'webhook' && e.initiator !== undefined ? rows[e.initiator] : undefined
      if (cause) {
        const causeLane = rows[cause.laneOf ?? cause.sid] ?? cause
        rows[causeLane.sid] = { ...causeLane, hooks: pushTo(causeLane.hooks, e.sid) }
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
      rows[e.sid] = { ...row, job: e, lastT: Math.max(row.lastT, e.t) }
      maxT = maxT === null ? e.t : Math.max(maxT, e.t)
      changed = true
      continue
    }
    if (e.type === 'script') {
      // Scripts never end a session; a post-response report may come after the exchange ended, and is kept.
      rows[e.sid] = {
        ...row,
        scripts: withScriptReport(row.scripts, e.report),
        lastT: Math.max(row.lastT, e.t),
      }
      // A pre-request script runs before its request is queued: the axis starts where it started, and the
      // requests it sent (queued before their parent, so unlinked) move under it.
      origin = origin === null ? e.report.start : Math.min(origin, e.report.start)
      if (e.report.sentRequests.length > 0)
        order = adoptSentRequests(rows, order ?? [...state.order], e.sid, e.report.sentRequests)
      maxT = maxT === null ? e.t : Math.max(maxT, e.t)
      changed = true
      continue
    }
    if (e.type === 'graphql') {
      // A GraphQL result's errors, read after the exchange ended: the row keeps them to mark a 200 with errors.
      rows[e.sid] = { ...row, graphql: e }
      changed = true
      continue
    }
    const next = nextRow(row, e)
    if (!next) continue
    if (!isInFlight(next)) inFlight--
    rows[e.sid] = next
    // The lane's row moves with its polls (its end, and a re-render of its bars).
    const lane = next.laneOf !== undefined ? rows[next.laneOf] : undefined
    if (lane && lane.lastT < next.lastT) rows[lane.sid] = { ...lane, lastT: next.lastT }
    maxT = maxT === null ? e.t : Math.max(maxT, e.t)
    changed = true
  }

  if (!changed) return latestT === state.latestT ? state : { ...state, latestT }
  return {
    rows,
    order: order ?? state.order,
    inFlight,
    jobsRunning,
    origin,
    maxT,
    latestT,
    dropped: state.dropped + batch.dropped,
    released: state.released,
    nextSeq,
  }
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
  return { ...state, rows, order, origin, maxT }
}
