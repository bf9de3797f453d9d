import type { HarTimings } from '../../shared/timeline'
import { phaseLines, type PhaseLine } from '../timeline/segments'

/** One line of a side-by-side comparison: the phase in both sessions and how much longer B took. */
export interface CompareLine {
  label: string
  phase: PhaseLine['phase']
  a: number
  b: number
  /** b - a in ms; null when the phase did not happen in one of them. */
  delta: number | null
}

/** The two sessions' phase breakdowns, line by line (Queued ... Total), with the difference B - A. */
export function compareTimings(a: HarTimings, b: HarTimings): CompareLine[] {
  const la = phaseLines(a)
  const lb = phaseLines(b)
  return la.map((l, i) => {
    const other = lb[i]
    const bv = other ? other.ms : -1
    return {
      label: l.label,
      phase: l.phase,
      a: l.ms,
      b: bv,
      delta: l.ms < 0 || bv < 0 ? null : Math.round((bv - l.ms) * 1000) / 1000,
    }
  })
}

/** "+12.3 ms", "−4.0 ms", "±0"; a dash when a phase is missing on one side. */
export function formatDelta(delta: number | null, format: (ms: number) => string): string {
  if (delta === null) return '—'
  if (Math.abs(delta) < 0.05) return '±0'
  return `${delta > 0 ? '+' : '−'}${format(Math.abs(delta))}`
}
