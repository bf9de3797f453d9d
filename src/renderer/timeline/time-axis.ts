/**
 * The shared time axis: every row uses the same ms -> px scale, so bars line up across requests. The axis
 * starts at the first session's queued t and ends at the latest event, or at "now" while anything is in
 * flight. All times are engine ms (the engine's monotonic clock).
 */
export interface Axis {
  origin: number
  end: number
}

/** Below this span every bar would be a sliver of a sliver; a lone 0.2 ms request still gets a visible axis. */
export const MIN_SPAN_MS = 1

export function axisSpan(axis: Axis): number {
  return Math.max(axis.end - axis.origin, MIN_SPAN_MS)
}

export function timeToPx(axis: Axis, t: number, widthPx: number): number {
  return ((t - axis.origin) / axisSpan(axis)) * widthPx
}

/** The axis scale as percent of the track per ms: what the rows' CSS multiplies engine ms by. */
export function percentPerMs(axis: Axis): number {
  return 100 / axisSpan(axis)
}

export interface AxisInput {
  origin: number | null
  maxT: number | null
  inFlight: number
  /** Estimated engine now. */
  now: number
}

export function computeAxis(input: AxisInput): Axis | null {
  if (input.origin === null) return null
  const last = input.maxT ?? input.origin
  const end = input.inFlight > 0 ? Math.max(last, input.now) : last
  return { origin: input.origin, end }
}

/** The tick step in ms: 1, 2 or 5 x 10^n, so that at most `maxTicks` steps fit the span. */
export function tickStep(axis: Axis, maxTicks: number): number {
  const raw = axisSpan(axis) / Math.max(1, maxTicks)
  const pow = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow
}

/** Tick offsets from the origin (ms): 0 and every `tickStep` up to the end of the span. */
export function axisTicks(axis: Axis, maxTicks: number): number[] {
  const span = axisSpan(axis)
  const step = tickStep(axis, maxTicks)
  const ticks: number[] = []
  for (let v = 0; v <= span + 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6)
  return ticks
}

/** How many ticks the header draws; the rows' grid lines use the same step. */
export const AXIS_TICKS = 5

/**
 * A tick label: "0", "250 ms", "1 s", "1.5 s": seconds from one second up. Given the tick step, it prints as
 * many decimals as the step needs and no more, so neighbouring ticks never read the same ("1.0941 s",
 * "1.0942 s" zoomed in, not "1.094 s" four times); without it, at most three.
 */
export function formatTick(offsetMs: number, stepMs?: number): string {
  if (offsetMs === 0) return '0'
  const seconds = Math.abs(offsetMs) >= 1000
  const value = seconds ? offsetMs / 1000 : offsetMs
  const step = stepMs === undefined ? undefined : seconds ? stepMs / 1000 : stepMs
  const decimals = step === undefined ? 3 : decimalsFor(step)
  return `${trim(value, decimals)} ${seconds ? 's' : 'ms'}`
}

/** How many decimals tell multiples of `step` apart (1-2-5 steps: 0.2 needs one, 0.05 two). */
function decimalsFor(step: number): number {
  if (!(step > 0) || step >= 1) return 0
  return Math.min(9, Math.ceil(-Math.log10(step) - 1e-9))
}

function trim(n: number, decimals: number): string {
  const f = 10 ** decimals
  return String(Math.round(n * f) / f)
}
