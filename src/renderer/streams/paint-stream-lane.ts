import { barRects, BAR_HEIGHT, type LanePaint } from '../timeline/lanes'
import { errorBuckets, tickBuckets, topicColor, type LaneTicks } from './lane-ticks'

/**
 * How a stream session's lane is painted on the waterfall canvas: its handshake as the usual phase bar
 * (DNS, connect, TLS, sent, waiting), a thin line while the stream is open, and a tick per message (bucketed):
 * received above the line, sent below it, in two colours; reconnects, closes and errors as markers; GraphQL
 * results that carried errors as red ticks.
 */

export const STREAM_COLORS = {
  in: '#2f7fe0',
  out: '#e07b24',
  line: 'rgba(127, 127, 127, 0.55)',
  retry: '#c58a00',
  error: '#d6453d',
  open: '#2e9d5b',
}

/** A tick's height in px for `count` messages in its bucket: 3 px for one, growing slowly, at most half the row. */
export function tickHeight(count: number, rowHeight: number): number {
  return Math.min(Math.floor(rowHeight / 2) - 2, 3 + Math.round(Math.log2(count) * 1.2))
}

export function paintStreamLane(p: LanePaint, lane: LaneTicks | undefined): void {
  const { ctx, y, height, width } = p
  const mid = Math.round(y + height / 2)
  // Handshake: the HTTP phases up to the response; the open stream is the line, not a download bar.
  const barTop = Math.round(y + (height - BAR_HEIGHT) / 2)
  // An operation over a shared connection had no handshake (its connection's lane has it): no phase bar.
  const bars = p.row.queued.connection === undefined ? barRects(p.row, p.now, p.x, width) : []
  for (const r of bars) {
    if (r.phase === 'receive') continue
    ctx.fillStyle = r.phase === 'cancelled' ? p.cancelledFill : p.colors[r.phase]
    ctx.globalAlpha = r.phase === 'error' || r.phase === 'cancelled' ? 1 : 0.85
    ctx.fillRect(r.x, barTop, r.w, BAR_HEIGHT)
  }
  ctx.globalAlpha = 1
  // An operation over a shared connection has no response of its own: its line starts when it opened.
  const openedAt = p.row.response?.t ?? lane?.attempts[0]?.openedAt ?? undefined
  if (openedAt !== undefined) {
    const x0 = Math.max(0, p.x(openedAt))
    const x1 = Math.min(width, p.x(p.row.end ?? p.now))
    if (x1 > x0) {
      ctx.fillStyle = STREAM_COLORS.line
      ctx.fillRect(x0, mid, x1 - x0, 1)
    }
  }
  if (!lane) return
  for (const [t, ins, outs, topic] of tickBuckets(lane)) {
    const x = Math.round(p.x(t))
    if (x < -1 || x > width + 1) continue
    // An MQTT bucket of one topic takes that topic's colour; mixed buckets keep the lane's in / out colours.
    const own = topic ? topicColor(topic) : null
    if (ins > 0) {
      const h = tickHeight(ins, height)
      ctx.fillStyle = own ?? STREAM_COLORS.in
      ctx.fillRect(x, mid - h, 1.5, h)
    }
    if (outs > 0) {
      const h = tickHeight(outs, height)
      ctx.fillStyle = own ?? STREAM_COLORS.out
      ctx.fillRect(x, mid + 1, 1.5, h)
    }
  }
  // GraphQL results that carried errors: a red tick over the received one, the full half row tall.
  for (const [t, n] of errorBuckets(lane)) {
    const x = Math.round(p.x(t))
    if (x < -1 || x > width + 1) continue
    const h = Math.max(tickHeight(n, height), Math.floor(height / 2) - 2)
    ctx.fillStyle = STREAM_COLORS.error
    ctx.fillRect(x - 0.5, mid - h, 2.5, h)
  }
  for (const m of lane.markers) {
    if (m.kind === 'done') continue
    const x = Math.round(p.x(m.t))
    if (x < -2 || x > width + 2) continue
    ctx.fillStyle =
      m.kind === 'error' ? STREAM_COLORS.error : m.kind === 'retry' ? STREAM_COLORS.retry : STREAM_COLORS.open
    if (m.kind === 'closed' || m.kind === 'error') ctx.fillRect(x - 1, y + 3, 2, height - 6)
    else if (m.kind === 'retry') {
      // A small down-pointing triangle at the top of the row.
      ctx.beginPath()
      ctx.moveTo(x - 3, y + 2)
      ctx.lineTo(x + 3, y + 2)
      ctx.lineTo(x, y + 6)
      ctx.fill()
    } else if (m.label !== 'Open') ctx.fillRect(x, y + 2, 1, height - 4)
  }
}
