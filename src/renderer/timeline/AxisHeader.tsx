import { AXIS_TICKS, axisSpan, axisTicks, formatTick } from './time-axis'
import { useAxis } from './use-axis'

/** Tick labels over the waterfall column: offsets from the first request's queued time. */
export function AxisHeader() {
  const axis = useAxis()
  if (!axis) return <div className="axis" />
  const span = axisSpan(axis)
  const ticks = axisTicks(axis, AXIS_TICKS)
  return (
    <div className="axis" aria-hidden="true">
      {ticks.map((offset) => (
        <span key={offset} className="tick" style={{ left: `${(offset / span) * 100}%` }}>
          {formatTick(offset)}
        </span>
      ))}
    </div>
  )
}
