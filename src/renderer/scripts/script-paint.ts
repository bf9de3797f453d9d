import type { ConsoleLevel, ScriptPhase } from '../../shared/scripts'
import type { SessionRow } from '../timeline/session-row'
import { phaseReports } from './row-scripts'

/**
 * Script time and console output on a row's lane: a segment in the script colour for each phase that ran (the
 * pre-request script before the request goes out, the post-response script after the response), over the
 * row's bar, and a small mark above the bar where a phase first logged, in the colour of the worst level it
 * logged. Pure geometry here; `drawScripts` paints it.
 */
export interface ScriptRect {
  phase: ScriptPhase
  x: number
  w: number
}

export interface ConsoleMark {
  phase: ScriptPhase
  x: number
  /** The most severe level the phase logged: `error`, `warn`, or `log` for the rest. */
  level: 'error' | 'warn' | 'log'
  count: number
}

/** Script segments as px rectangles, clipped to the waterfall; at least 2 px so a 0.1 ms script is seen. */
export function scriptRects(row: SessionRow, x: (t: number) => number, width: number): ScriptRect[] {
  const out: ScriptRect[] = []
  for (const r of phaseReports(row.scripts)) {
    const x0 = x(r.start)
    const x1 = Math.max(x(r.end), x0 + 2)
    if (x1 < 0 || x0 > width) continue
    const left = Math.max(0, x0)
    out.push({ phase: r.phase, x: left, w: Math.max(2, Math.min(width, x1) - left) })
  }
  return out
}

const SEVERITY: Readonly<Record<ConsoleLevel, number>> = { debug: 0, log: 0, info: 0, warn: 1, error: 2 }

/** One mark per phase that logged, where its first line was logged (its start when every line was dropped). */
export function consoleMarks(row: SessionRow, x: (t: number) => number, width: number): ConsoleMark[] {
  const out: ConsoleMark[] = []
  for (const r of phaseReports(row.scripts)) {
    const count = r.console.length + r.droppedConsole
    if (count === 0) continue
    let worst = 0
    for (const l of r.console) worst = Math.max(worst, SEVERITY[l.level])
    const at = x(r.console[0]?.t ?? r.start)
    if (at < -3 || at > width + 3) continue
    out.push({
      phase: r.phase,
      x: Math.min(Math.max(at, 3), width - 3),
      level: worst === 2 ? 'error' : worst === 1 ? 'warn' : 'log',
      count,
    })
  }
  return out
}

export interface ScriptColors {
  script: string
  error: string
  warn: string
}

/** Paint a row's script segments over its bar (top `top`, `height` tall) and its console marks above it. */
export function drawScripts(
  ctx: CanvasRenderingContext2D,
  row: SessionRow,
  x: (t: number) => number,
  width: number,
  top: number,
  height: number,
  colors: ScriptColors,
): void {
  if (!row.scripts) return
  ctx.fillStyle = colors.script
  for (const r of scriptRects(row, x, width)) ctx.fillRect(r.x, top, r.w, height)
  for (const m of consoleMarks(row, x, width)) {
    // A small downward triangle just above the bar, pointing at when the script logged.
    ctx.fillStyle = m.level === 'error' ? colors.error : m.level === 'warn' ? colors.warn : colors.script
    ctx.beginPath()
    ctx.moveTo(m.x - 3, top - 5)
    ctx.lineTo(m.x + 3, top - 5)
    ctx.lineTo(m.x, top - 1)
    ctx.closePath()
    ctx.fill()
  }
}
