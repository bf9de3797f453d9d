import type { HarTimings } from '../../shared/timeline'

/** Instants on the engine clock collected while one exchange runs. Unset means "did not happen (yet)". */
export interface ExchangeMarks {
  queuedAt: number
  dnsStart?: number | undefined
  dnsEnd?: number | undefined
  connectStart?: number | undefined
  connectEnd?: number | undefined
  tlsStart?: number | undefined
  tlsEnd?: number | undefined
  sendStart?: number | undefined
  sendEnd?: number | undefined
  firstByte?: number | undefined
  endAt?: number | undefined
}

/** Marks with every field present (unset): filled in as the exchange runs, without the object changing shape. */
export function newMarks(queuedAt: number): ExchangeMarks {
  return {
    queuedAt,
    dnsStart: undefined,
    dnsEnd: undefined,
    connectStart: undefined,
    connectEnd: undefined,
    tlsStart: undefined,
    tlsEnd: undefined,
    sendStart: undefined,
    sendEnd: undefined,
    firstByte: undefined,
    endAt: undefined,
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000

/**
 * HAR 1.2 timings from the marks. Everything between queueing and the first header byte written that is not
 * DNS or connecting counts as blocked (our queue plus undici's own stall), so the phases always add up to the
 * whole. Phases that did not happen are -1 (dns, connect, ssl) or 0 (send, wait, receive, which HAR requires).
 * An exchange that ended early (error, cancel) gets the phases it reached, ending at `endAt`.
 */
export function harTimings(m: ExchangeMarks, endAt: number): HarTimings {
  const q = m.queuedAt
  const dns = span(clampTo(m.dnsStart, q), clampTo(m.dnsEnd, q))
  const connect = span(clampTo(m.connectStart, q), clampTo(m.tlsEnd ?? m.connectEnd, q))
  const ssl = span(clampTo(m.tlsStart, q), clampTo(m.tlsEnd, q))
  const sendStart = m.sendStart ?? endAt
  const blocked = Math.max(0, sendStart - q - Math.max(0, dns) - Math.max(0, connect))
  const send = m.sendStart === undefined ? 0 : span(m.sendStart, m.sendEnd ?? endAt)
  const wait = m.sendEnd === undefined ? 0 : span(m.sendEnd, m.firstByte ?? endAt)
  const receive = m.firstByte === undefined ? 0 : span(m.firstByte, endAt)
  const t: HarTimings = {
    blocked: round(blocked),
    dns: dns < 0 ? -1 : round(dns),
    connect: connect < 0 ? -1 : round(connect),
    ssl: ssl < 0 ? -1 : round(ssl),
    send: round(Math.max(0, send)),
    wait: round(Math.max(0, wait)),
    receive: round(Math.max(0, receive)),
    time: 0,
  }
  t.time = harTotal(t)
  return t
}

function span(a: number | undefined, b: number | undefined): number {
  return a === undefined || b === undefined ? -1 : Math.max(0, b - a)
}

/** A connection opened before this request was queued only counts from the moment it was queued. */
function clampTo(x: number | undefined, floor: number): number | undefined {
  return x === undefined ? x : Math.max(x, floor)
}

/** HAR's `time`: the sum of the phases, -1 counted as 0, `ssl` not added again (it is inside `connect`). */
export function harTotal(t: Omit<HarTimings, 'time'>): number {
  return round(pos(t.blocked) + pos(t.dns) + pos(t.connect) + t.send + t.wait + t.receive)
}

/** A phase counted in a total: -1 (did not happen) counts as 0. Module level: harTotal runs for every request. */
function pos(x: number): number {
  return x > 0 ? x : 0
}
