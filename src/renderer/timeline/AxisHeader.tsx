import { axisSpan, axisTicks, formatTick } from './time-axis'
import { useAxis } from './use-axis'

/** Tick labels over the waterfall column: offsets from the first request's queued time. */
export function AxisHeader() {
  const axis = useAxis()
  if (!axis) return <div className="axis" />
  const span = axisSpan(axis)
  const ticks = axisTicks(axis, 5)
  const step = ticks[1] ?? span
  return (
    <div className="axis" aria-hidden="true">
      {ticks.map((offset) => (
        <span key={offset} className="tick" style={{ left: `${(offset / span) * 100}%` }}>
          {formatTick(offset, step)}
        </span>
      ))}
    </div>
  )
}
