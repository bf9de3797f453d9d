import { useRef, type ReactNode } from 'react'
import { formatMs } from '../../shared/format'
import { groupDigits } from '../../shared/group-digits'
import type { RunFinished, RunStats } from '../../shared/run-schemas'
import { useElementWidth } from '../hooks/use-element-width'

/**
 * Small SVG charts for a finished run: the latency histogram and requests per second over time. Each is drawn at
 * its box's own width in CSS px (one unit a pixel), so its 11 px labels stay 11 px in a 280 px pane and in a
 * 1000 px one: scaled from a fixed 400-unit drawing they were 6 px beside the timeline and 22 px below it.
 */

/** The width drawn before the box is measured (a static render). */
const DEFAULT_W = 400
const H = 120
const PAD_B = 20
const PAD_T = 8
/** The y-axis label column's least width, and the gap between its labels and the plot. */
const PAD_L_MIN = 38
const LABEL_GAP = 4
/**
 * An upper bound of one character's width in an 11 px tick label (runner.css .run-chart .tick): wide sans digits
 * (DejaVu Sans) are 0.64em, a comma less. Counting every character at it keeps "10,000" and "1,000,000" whole.
 */
const TICK_CHAR_W = 7
/** Room (px) an x-axis label takes with the space around it: fewer labels in a narrow chart, none overlapping. */
function labelRoom(chars: number): number {
  return chars * TICK_CHAR_W + 12
}

/** How many bars or seconds apart the x-axis labels go, so those of `count` slots fit `plotW` px. */
function labelEvery(count: number, plotW: number, chars: number): number {
  const fit = Math.max(1, Math.floor(plotW / labelRoom(chars)))
  return Math.max(1, Math.ceil(count / fit))
}

/** The chart's box: full width, measured, the chart drawn at that width. */
function ChartBox({ children }: { children: (width: number) => ReactNode }) {
  const box = useRef<HTMLDivElement>(null)
  const width = useElementWidth(box, DEFAULT_W)
  return (
    <div ref={box} className="run-chart-box">
      {children(width)}
    </div>
  )
}

/**
 * The y-axis labels, digit-grouped as every count in the app, at the foot, middle and top of the plot. The axis
 * counts requests: a middle that falls between two counts (a top of 1, 5 or 25) keeps its gridline but no label,
 * which rounded would repeat or misstate a count ("1" on the 0.5 line under a top of 1).
 */
function axisLabels(max: number): { f: number; text: string }[] {
  return [0, 0.5, 1].map((f) => {
    const value = max * f
    return { f, text: Number.isInteger(value) ? groupDigits(value) : '' }
  })
}

/** The label column's width: room for the longest label (its top one), never less than the usual column. */
function padLeft(max: number): number {
  const longest = Math.max(...axisLabels(max).map((l) => l.text.length))
  return Math.max(PAD_L_MIN, Math.ceil(longest * TICK_CHAR_W) + LABEL_GAP * 2)
}

function niceMax(n: number): number {
  if (n <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(n))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p
  return 10 * p
}

export function Histogram({ stats }: { stats: RunStats }) {
  return <ChartBox>{(width) => <HistogramAt stats={stats} W={width} />}</ChartBox>
}

function HistogramAt({ stats, W }: { stats: RunStats; W: number }) {
  const buckets = trimBuckets(stats.histogram)
  const max = niceMax(Math.max(1, ...buckets.map((b) => b.count)))
  const padL = padLeft(max)
  const plotW = W - padL - 4
  const plotH = H - PAD_B - PAD_T
  const bw = buckets.length > 0 ? plotW / buckets.length : plotW
  const every = labelEvery(buckets.length, plotW, 8)
  return (
    <svg
      className="run-chart"
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Latency histogram: ${buckets.map((b) => `${groupDigits(b.count)} up to ${b.upToMs === null ? 'more' : formatMs(b.upToMs)}`).join(', ')}`}
    >
      <Axis max={max} padL={padL} plotH={plotH} W={W} />
      {buckets.map((b, i) => {
        const h = (b.count / max) * plotH
        return (
          <g key={i}>
            <rect
              className="bar"
              x={padL + i * bw + 1}
              y={PAD_T + plotH - h}
              width={Math.max(1, bw - 2)}
              height={h}
            >
              <title>{`${groupDigits(b.count)} request${b.count === 1 ? '' : 's'} ${
                b.upToMs === null ? 'slower than the last bound' : `up to ${formatMs(b.upToMs)}`
              }`}</title>
            </rect>
            {i % every === 0 ? (
              <text className="tick" x={padL + i * bw + bw / 2} y={H - 6} textAnchor="middle">
                {b.upToMs === null ? 'more' : `≤${formatMs(b.upToMs)}`}
              </text>
            ) : null}
          </g>
        )
      })}
    </svg>
  )
}

/** Leading and trailing empty buckets say nothing; keep the span that has counts (at least one bucket). */
function trimBuckets(h: RunStats['histogram']): RunStats['histogram'] {
  let a = 0
  let b = h.length - 1
  while (a < b && (h[a]?.count ?? 0) === 0) a++
  while (b > a && (h[b]?.count ?? 0) === 0) b--
  return h.slice(Math.max(0, a - 1), b + 1)
}

export function Throughput({ series }: { series: RunFinished['throughput'] }) {
  return <ChartBox>{(width) => <ThroughputAt series={series} W={width} />}</ChartBox>
}

function ThroughputAt({ series, W }: { series: RunFinished['throughput']; W: number }) {
  const points = series.length > 0 ? series : [{ t: 0, rps: 0 }]
  const maxT = Math.max(1, ...points.map((p) => p.t + 1))
  const max = niceMax(Math.max(1, ...points.map((p) => p.rps)))
  const padL = padLeft(max)
  const plotW = W - padL - 4
  const plotH = H - PAD_B - PAD_T
  const x = (t: number): number => padL + (t / maxT) * plotW
  const y = (v: number): number => PAD_T + plotH - (v / max) * plotH
  const bw = plotW / maxT
  const every = labelEvery(maxT + 1, plotW, String(maxT).length + 1)
  return (
    <svg
      className="run-chart"
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Throughput: ${points.map((p) => `${groupDigits(p.rps)}/s at ${p.t}s`).join(', ')}`}
    >
      <Axis max={max} padL={padL} plotH={plotH} W={W} />
      {points.map((p) => (
        <rect
          key={p.t}
          className="bar rps"
          x={x(p.t) + 1}
          y={y(p.rps)}
          width={Math.max(1, bw - 2)}
          height={PAD_T + plotH - y(p.rps)}
        >
          <title>{`${groupDigits(p.rps)} requests finished in second ${p.t + 1}`}</title>
        </rect>
      ))}
      {Array.from({ length: maxT + 1 }, (_, t) => t)
        .filter((t) => t % every === 0)
        .map((t) => (
          // The last second's label ends at the plot's edge rather than running past the chart's.
          <text key={t} className="tick" x={x(t)} y={H - 6} textAnchor={t === maxT ? 'end' : 'middle'}>
            {t}s
          </text>
        ))}
    </svg>
  )
}

function Axis({ max, padL, plotH, W }: { max: number; padL: number; plotH: number; W: number }) {
  return (
    <g>
      {axisLabels(max).map(({ f, text }) => {
        const yy = PAD_T + plotH - f * plotH
        return (
          <g key={f}>
            <line className="grid" x1={padL} x2={W - 4} y1={yy} y2={yy} />
            {text ? (
              <text className="tick" x={padL - LABEL_GAP} y={yy + 4} textAnchor="end">
                {text}
              </text>
            ) : null}
          </g>
        )
      })}
    </g>
  )
}
