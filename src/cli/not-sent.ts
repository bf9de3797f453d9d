import { formatMs } from '../shared/format'
import type { ErrorCode } from '../shared/result'
import type { HarTimings, TimelineEvent } from '../shared/timeline'

/**
 * A request that failed before it was written to a connection (a refused port, a name that does not resolve, a
 * TLS handshake that failed, a body file that could not be read): no send, wait or receive ever happened, so
 * the CLI says where it stopped and shows only the phases that ran, instead of a full timings table of zeros.
 */

/** The HAR phase a request stopped in before it was sent: `blocked` is before any connection was asked for. */
export type StoppedIn = 'blocked' | 'dns' | 'connect' | 'ssl' | 'send'

const PHASE_WORDS: Record<StoppedIn, string> = {
  blocked: 'before connecting',
  dns: 'while resolving the host name',
  connect: 'while connecting',
  ssl: 'during the TLS handshake',
  send: 'after connecting, before the request was written',
}

const CONNECT_CODES: readonly ErrorCode[] = ['refused', 'timeout_connect', 'network']

/**
 * Where the final hop stopped when it failed or was cancelled before its request was written, or null when it
 * was sent (or did not fail). The error's code says it when it is about one phase; else the last phase that
 * reported (a cancel during the handshake).
 */
export function stoppedBeforeSending(
  events: readonly TimelineEvent[],
  final: TimelineEvent & { type: 'done' | 'error' | 'cancelled' },
): StoppedIn | null {
  if (final.type === 'done') return null
  const sid = final.sid
  let dns = false
  let connect = false
  let tls = false
  for (const e of events) {
    if (e.sid !== sid) continue
    if (e.type === 'request-sent' || e.type === 'response-headers') return null
    if (e.type === 'dns') dns = true
    else if (e.type === 'connect') connect = true
    else if (e.type === 'tls') tls = true
  }
  if (final.type === 'error') {
    if (final.code === 'dns') return 'dns'
    if (CONNECT_CODES.includes(final.code)) return 'connect'
    if (final.code.startsWith('tls')) return 'ssl'
  }
  if (tls) return 'send'
  if (connect) return final.timings.ssl >= 0 ? 'ssl' : 'send'
  if (dns) return 'connect'
  return 'blocked'
}

const ORDER: readonly StoppedIn[] = ['blocked', 'dns', 'connect', 'ssl', 'send']

/**
 * The lines in place of the timings table: why and where it stopped (stdout may be a file that never sees
 * stderr's line), then only the phases that ran, up to that one.
 */
export function notSentLines(stoppedIn: StoppedIn, t: HarTimings, why: string): string[] {
  const lines = [`not sent  ${why}`, `          stopped ${PHASE_WORDS[stoppedIn]}, after ${formatMs(t.time)}`]
  const ran = ORDER.slice(0, ORDER.indexOf(stoppedIn) + 1)
    .filter((phase) => phase !== 'send')
    .map((phase): [StoppedIn, number] => [phase, t[phase as keyof HarTimings]])
    .filter(([, ms]) => ms >= 0)
  if (ran.length === 0) return lines
  lines.push('timings (until it stopped)')
  for (const [name, ms] of ran)
    lines.push(`  ${name.padEnd(9)}${formatMs(ms).padStart(10)}${name === stoppedIn ? '  stopped here' : ''}`)
  lines.push(`  ${'total'.padEnd(9)}${formatMs(t.time).padStart(10)}`)
  if (stoppedIn === 'ssl' || (stoppedIn === 'send' && t.ssl >= 0)) lines.push('  (ssl is part of connect)')
  return lines
}
