import { noPhases, type HarTimings } from '../../shared/timeline'
import type { SessionRow } from './session-row'

/**
 * The phases of one exchange as the waterfall draws them, in the order they happen. `error` and `cancelled`
 * stand for the part of the exchange that was interrupted (drawn red / striped).
 */
export type Phase =
  'blocked' | 'dns' | 'connect' | 'tls' | 'send' | 'wait' | 'receive' | 'error' | 'cancelled'

export interface Segment {
  phase: Phase
  /** Engine ms. */
  start: number
  /** Engine ms; for an open segment, the `now` it was laid out for. */
  end: number
  /** True for the phase still under way: it grows to "now" while the session is in flight. */
  open: boolean
}

/**
 * Lay a row out as contiguous segments on the engine clock, from the same numbers the hover card and the
 * details pane print, so a bar and its figures always agree.
 *
 * A finished exchange is laid out from the engine's own HAR timings, phase after phase from its queued t (as
 * DevTools draws them): queued, DNS, TCP connect, TLS, request sent, waiting, download. The engine counts
 * every stall before the first header byte goes out that is not DNS or connecting as queued (undici setting
 * up a fresh connection's parser, the event loop busy), so the bar does too, instead of growing "request
 * sent" by that stall.
 *
 * While in flight, the engine reports a phase when it ends, so the layout follows the events, with the same
 * rule for stalls: the gap between the last connection phase and the first header byte goes to `blocked`
 * once the request is sent. The phase under way is inferred from the last one seen (after DNS comes connect;
 * after connect, TLS on https or sending on http; and so on). It is returned `open`, ending at `now`.
 * A reused connection has no dns/connect/tls events, so its bar goes blocked -> send -> wait -> receive.
 */
export function layoutSegments(row: SessionRow, now: number): Segment[] {
  const term = row.terminal
  if (term?.type === 'done') return segmentsFromTimings(row.queued.t, term.timings)

  const segs: Segment[] = []
  let cursor = row.queued.t
  const add = (phase: Phase, end: number): void => {
    const e = Math.max(end, cursor)
    segs.push({ phase, start: cursor, end: e, open: false })
    cursor = e
  }

  const firstStart = row.dns?.start ?? row.connect?.start ?? row.tls?.start ?? row.sent?.start
  const connected = row.tls?.t ?? row.connect?.t ?? row.dns?.t
  // The stall between the connection being up and the first header byte (as the engine's timings count it).
  const stall = row.sent && connected !== undefined ? Math.max(0, row.sent.start - connected) : 0
  if (firstStart !== undefined) add('blocked', firstStart + stall)
  if (row.dns) add('dns', row.dns.t + stall)
  if (row.connect) add('connect', (row.tls ? Math.min(row.connect.t, row.tls.start) : row.connect.t) + stall)
  if (row.tls) add('tls', row.tls.t + stall)
  if (row.sent) add('send', row.sent.t)
  if (row.response) add('wait', row.response.t)

  if (term) {
    if (term.type === 'redirect') {
      // Headers without a body phase would be odd, but never draw a hole: whatever is left is download.
      add(row.response ? 'receive' : 'wait', term.t)
    } else {
      add(term.type === 'error' ? 'error' : 'cancelled', term.t)
    }
    return segs
  }

  const open = phaseUnderWay(row)
  segs.push({ phase: open, start: cursor, end: Math.max(now, cursor), open: true })
  return segs
}

/**
 * A finished exchange's segments from its HAR timings, back to back from `queuedAt`. As in HAR, `connect`
 * includes `ssl`, so TCP is drawn as their difference; phases that did not happen (-1) are not drawn.
 */
export function segmentsFromTimings(queuedAt: number, t: HarTimings): Segment[] {
  const segs: Segment[] = []
  let cursor = queuedAt
  const add = (phase: Phase, ms: number): void => {
    if (!(ms >= 0)) return
    segs.push({ phase, start: cursor, end: cursor + ms, open: false })
    cursor += ms
  }
  add('blocked', Math.max(0, t.blocked))
  add('dns', t.dns)
  add('connect', t.connect < 0 ? -1 : Math.max(0, t.connect - Math.max(0, t.ssl)))
  add('tls', t.ssl)
  add('send', t.send)
  add('wait', t.wait)
  add('receive', t.receive)
  return segs
}

function phaseUnderWay(row: SessionRow): Phase {
  if (row.response) return 'receive'
  if (row.sent) return 'wait'
  if (row.tls) return 'send'
  if (row.connect) return /^https:/i.test(row.queued.url) ? 'tls' : 'send'
  if (row.dns) return 'connect'
  return 'blocked'
}

/**
 * HAR-style timings for a row: the engine's own `timings` once the session ended, or derived from the
 * segments laid out to `now` while it is in flight (so the details pane counts up live). As in HAR, `ssl` is
 * also counted inside `connect`, -1 marks a phase that did not happen, and `time` is the whole duration.
 * A redirect hop carries no timings of its own, so it is derived too.
 */
export function rowTimings(row: SessionRow, now: number): HarTimings {
  const term = row.terminal
  if (term && term.type !== 'redirect') return term.timings
  const t = noPhases(0)
  const addTo = (key: keyof HarTimings, ms: number): void => {
    t[key] = (t[key] < 0 ? 0 : t[key]) + ms
  }
  let end = row.queued.t
  for (const s of layoutSegments(row, now)) {
    const ms = s.end - s.start
    end = Math.max(end, s.end)
    switch (s.phase) {
      case 'tls':
        addTo('ssl', ms)
        addTo('connect', ms)
        break
      case 'error':
      case 'cancelled':
        break
      default:
        addTo(s.phase, ms)
    }
  }
  t.time = end - row.queued.t
  return t
}

export interface PhaseLine {
  label: string
  /** Matches the bar segment's `data-phase`, so the table's swatches use the bar's colours. */
  phase: Phase | 'total'
  ms: number
}

/**
 * The details pane's phase breakdown. Connect is shown as TCP only (HAR counts TLS inside it) so the lines
 * add up to the total; phases that did not happen are -1 and print as a dash.
 */
export function phaseLines(t: HarTimings): PhaseLine[] {
  const tcp = t.connect < 0 ? -1 : Math.max(0, t.connect - Math.max(0, t.ssl))
  return [
    { label: 'Queued', phase: 'blocked', ms: t.blocked },
    { label: 'DNS', phase: 'dns', ms: t.dns },
    { label: 'Connect', phase: 'connect', ms: tcp },
    { label: 'TLS', phase: 'tls', ms: t.ssl },
    { label: 'Request sent', phase: 'send', ms: t.send },
    { label: 'Waiting (TTFB)', phase: 'wait', ms: t.wait },
    { label: 'Content download', phase: 'receive', ms: t.receive },
    { label: 'Total', phase: 'total', ms: t.time },
  ]
}
