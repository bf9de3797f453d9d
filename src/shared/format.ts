import { groupDigits } from './group-digits'

/**
 * Numbers in people's units, shared by the UI and the CLI so both print the same figures.
 * Invariants: the output is short (at most ~8 characters) so aligned columns do not jump while data streams
 * in; a value that did not happen (negative, as HAR's -1, or not finite) prints as an em dash.
 */

export const NO_VALUE = '—'

/** 0.4 ms, 3.4 ms, 245 ms, 1.23 s, 12.3 s, 2 min 05 s, 1 h 02 min. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return NO_VALUE
  if (ms < 10) {
    const r = round(ms, 1)
    if (r < 10) return `${r.toFixed(1)} ms`
  }
  if (ms < 1000) {
    const r = Math.round(ms)
    if (r < 1000) return `${r} ms`
  }
  const s = ms / 1000
  if (s < 10) {
    const r = round(s, 2)
    if (r < 10) return `${r.toFixed(2)} s`
  }
  if (s < 60) {
    const r = round(s, 1)
    if (r < 60) return `${r.toFixed(1)} s`
  }
  const totalSeconds = Math.round(s)
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60)
    const rest = totalSeconds % 60
    return `${m} min ${pad2(rest)} s`
  }
  const totalMinutes = Math.round(totalSeconds / 60)
  const h = Math.floor(totalMinutes / 60)
  return `${h} h ${pad2(totalMinutes % 60)} min`
}

const BYTE_UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'] as const

/** 0 B, 512 B, 1.5 KB, 15.2 KB, 152 KB, 1.0 MB, ... (binary multiples: 1 KB = 1024 B). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return NO_VALUE
  if (n < 1024) return `${Math.round(n)} B`
  let value = n / 1024
  let unit = 0
  for (;;) {
    const text = value < 100 ? round(value, 1) : Math.round(value)
    if (text < 1024 || unit === BYTE_UNITS.length - 1) {
      const label = BYTE_UNITS[unit] ?? 'PB'
      return value < 100 && text < 100 ? `${text.toFixed(1)} ${label}` : `${Math.round(text)} ${label}`
    }
    value /= 1024
    unit++
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/**
 * A count with its noun, singular for one, digits grouped as every count a person reads: `1 folder`, `2 folders`,
 * `250,000 requests`; `many` for irregular plurals.
 */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`
}
