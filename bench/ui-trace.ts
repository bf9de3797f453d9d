/**
 * Reading a Chromium trace of the page's main thread: each task's CPU time (what the UI bench counts), and for
 * the longest tasks what they were made of, as the Performance panel groups it (script by function, style,
 * layout with the script that forced it, paint, GC). The bench prints the summary when asked
 * (BENCH_UI_TRACE_DIR), so a long task is explained by the run that found it.
 */

export interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  ts?: number
  dur?: number
  tdur?: number
  id?: string
  args?: {
    name?: string
    data?: TraceData
    beginData?: { stackTrace?: StackFrame[] }
  }
}

interface StackFrame {
  functionName?: string
  url?: string
  lineNumber?: number
  columnNumber?: number
}

interface ProfileNode {
  id: number
  parent?: number
  callFrame: StackFrame
}

interface TraceData {
  url?: string
  /** A TimeStamp event's text (console.timeStamp). */
  message?: string
  functionName?: string
  type?: string
  stackTrace?: StackFrame[]
  startTime?: number
  cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }
  timeDeltas?: number[]
}

/** The categories the bench traces a burst with: tasks, their parts, forced layouts' stacks, JS samples. */
export const BURST_TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.stack',
  'v8.execute',
  'disabled-by-default-v8.gc',
  'disabled-by-default-v8.cpu_profiler',
]

export function traceEvents(trace: Buffer): TraceEvent[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[]
  return Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? [])
}

/** The page's main thread: the renderer thread that ran the page's own script (a file from the host's URL). */
export function pageThread(events: readonly TraceEvent[], pageOrigin: string): { pid: number; tid: number } {
  const script = events.find((e) => e.name === 'FunctionCall' && e.args?.data?.url?.startsWith(pageOrigin))
  if (!script) throw new Error('the trace holds no task of the page')
  return { pid: script.pid, tid: script.tid }
}

/**
 * What the bench's page stamps (console.timeStamp) where its measured span starts: the tasks before it are the
 * bench's own (starting the trace's JS profiler is a 60-80 ms task of the page's thread), not the app's.
 */
export const SPAN_START_STAMP = 'flightdeck-bench-span-start'

/** The trace time (µs) of the page thread's span-start stamp; without one the trace cannot be read. */
export function spanStart(events: readonly TraceEvent[], pid: number, tid: number): number {
  const stamp = events.find(
    (e) =>
      e.name === 'TimeStamp' && e.pid === pid && e.tid === tid && e.args?.data?.message === SPAN_START_STAMP,
  )
  if (stamp?.ts === undefined) throw new Error(`the trace holds no ${SPAN_START_STAMP} stamp of the page`)
  return stamp.ts
}

/**
 * The CPU time (ms) of every main-thread task of the page (RunTask events of its thread); with `fromStamp`, only
 * the tasks that start at or after the page's span-start stamp.
 */
export function mainThreadTaskCpu(trace: Buffer, pageOrigin: string, fromStamp = false): number[] {
  const events = traceEvents(trace)
  const { pid, tid } = pageThread(events, pageOrigin)
  const from = fromStamp ? spanStart(events, pid, tid) : -Infinity
  const out: number[] = []
  for (const e of events)
    if (e.pid === pid && e.tid === tid && e.name === 'RunTask' && e.ph === 'X' && (e.ts ?? 0) >= from)
      out.push((e.tdur ?? 0) / 1000)
  return out
}

/** What the Performance panel would call an event's part of a task. */
function category(e: TraceEvent): string {
  switch (e.name) {
    case 'Layout':
      return 'layout'
    case 'UpdateLayoutTree':
    case 'RecalculateStyles':
    case 'ScheduleStyleRecalculation':
    case 'InvalidateLayout':
      return 'style'
    case 'Paint':
    case 'PrePaint':
    case 'Layerize':
    case 'UpdateLayer':
    case 'CompositeLayers':
    case 'Commit':
    case 'PaintImage':
    case 'RasterTask':
      return 'paint'
    case 'MinorGC':
    case 'MajorGC':
    case 'V8.GC_SCAVENGER':
    case 'V8.GC_MARK_COMPACTOR':
    case 'V8.GCIncrementalMarking':
    case 'V8.GCFinalizeMC':
    case 'BlinkGC.AtomicPhase':
    case 'ThreadState::performIdleLazySweep':
      return 'gc'
    case 'ParseHTML':
    case 'ParseAuthorStyleSheet':
      return 'parse'
    case 'RunTask':
      return 'task'
    default:
      return 'script'
  }
}

function frameText(f: StackFrame): string {
  const file = (f.url ?? '').split('/').pop() ?? ''
  return `${f.functionName || '(anonymous)'} ${file}:${(f.lineNumber ?? 0) + 1}:${(f.columnNumber ?? 0) + 1}`
}

interface Sample {
  ts: number
  frames: string[]
}

/** The JS samples of the thread's CPU profile (trace-embedded ProfileChunk events), each with its stack. */
function profileSamples(events: readonly TraceEvent[], pid: number, tid: number): Sample[] {
  const starts = new Map<string, number>()
  for (const e of events)
    if (e.name === 'Profile' && e.pid === pid && e.tid === tid && e.id !== undefined)
      starts.set(e.id, e.args?.data?.startTime ?? e.ts ?? 0)
  const nodes = new Map<number, ProfileNode>()
  const clock = new Map<string, number>()
  const out: Sample[] = []
  for (const e of events) {
    if (e.name !== 'ProfileChunk' || e.pid !== pid || e.id === undefined || !starts.has(e.id)) continue
    const p = e.args?.data?.cpuProfile
    for (const n of p?.nodes ?? []) nodes.set(n.id, n)
    let t = clock.get(e.id) ?? starts.get(e.id) ?? 0
    const deltas = e.args?.data?.timeDeltas ?? []
    const samples = p?.samples ?? []
    for (let i = 0; i < samples.length; i++) {
      t += deltas[i] ?? 0
      const frames: string[] = []
      let node = nodes.get(samples[i] ?? -1)
      for (let depth = 0; node && depth < 200; depth++) {
        const fn = node.callFrame.functionName
        if (fn !== '(root)' && fn !== '(program)' && fn !== '(idle)') frames.push(frameText(node.callFrame))
        node = node.parent === undefined ? undefined : nodes.get(node.parent)
      }
      out.push({ ts: t, frames })
    }
    clock.set(e.id, t)
  }
  return out.sort((a, b) => a.ts - b.ts)
}

export interface TaskSummary {
  /** ms from the first task of the burst. */
  at: number
  wallMs: number
  cpuMs: number
  /** Self CPU time (ms) by category: script, style, layout, paint, gc, parse, task (unattributed). */
  parts: Record<string, number>
  /** The top events by self time: name (and a function or callback type for script), ms. */
  events: [string, number][]
  /** Forced layouts / style recalcs inside the task, with the JS frame that forced them. */
  forced: string[]
  /**
   * JS self time by function: the task's script CPU (ms) shared by its JS samples (one every ~0.2 ms), and the
   * samples. A function under a few samples is within the sampling's noise.
   */
  functions: [string, number, number][]
}

/**
 * The `count` longest tasks of the page's thread by CPU time, each broken down (see TaskSummary); with
 * `fromStamp`, among the tasks from the page's span-start stamp on.
 */
export function longestTasks(
  events: readonly TraceEvent[],
  pageOrigin: string,
  count = 8,
  fromStamp = false,
): TaskSummary[] {
  const { pid, tid } = pageThread(events, pageOrigin)
  const from = fromStamp ? spanStart(events, pid, tid) : -Infinity
  const mine = events
    .filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.ts !== undefined && e.ts >= from)
    .sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0) || (b.dur ?? 0) - (a.dur ?? 0))
  const tasks = mine.filter((e) => e.name === 'RunTask')
  if (tasks.length === 0) return []
  const t0 = tasks[0]?.ts ?? 0
  const top = [...tasks].sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0)).slice(0, count)
  const samples = profileSamples(events, pid, tid)
  return top.map((task) => {
    const start = task.ts ?? 0
    const end = start + (task.dur ?? 0)
    const inside = mine.filter((e) => (e.ts ?? 0) >= start && (e.ts ?? 0) < end && e !== task)
    // Self time: an event's CPU time (its wall time when the trace has none) less its direct children's
    // (events on one thread nest by wall time). CPU, so that a task waiting for a core is not read as work.
    const cost = (e: TraceEvent): number => e.tdur ?? e.dur ?? 0
    const self = new Map<TraceEvent, number>()
    const stack: TraceEvent[] = []
    for (const e of inside) {
      const s = e.ts ?? 0
      while (stack.length > 0) {
        const top = stack[stack.length - 1] as TraceEvent
        if (s < (top.ts ?? 0) + (top.dur ?? 0)) break
        stack.pop()
      }
      const parent = stack[stack.length - 1]
      if (parent) self.set(parent, (self.get(parent) ?? 0) - cost(e))
      self.set(e, (self.get(e) ?? 0) + cost(e))
      stack.push(e)
    }
    const parts: Record<string, number> = {}
    const byName = new Map<string, number>()
    let attributed = 0
    for (const [e, us] of self) {
      const c = category(e)
      parts[c] = (parts[c] ?? 0) + us / 1000
      const d = e.args?.data
      const label = d?.functionName ? `${e.name} ${d.functionName}` : d?.type ? `${e.name} ${d.type}` : e.name
      byName.set(label, (byName.get(label) ?? 0) + us / 1000)
      attributed += us
    }
    parts.task = (cost(task) - attributed) / 1000
    const forced: string[] = []
    for (const e of inside) {
      if (e.name !== 'Layout' && e.name !== 'UpdateLayoutTree') continue
      const stackTrace = e.args?.beginData?.stackTrace ?? e.args?.data?.stackTrace
      const first = stackTrace?.[0]
      if (first) forced.push(`${e.name} ${(cost(e) / 1000).toFixed(1)} ms by ${frameText(first)}`)
    }
    // JS self time by function: the task's script CPU split by the share of its JS samples each leaf has. Not
    // the wall time from each sample to the next: a sample taken just before the thread waits for a core (or
    // sits in native work the profiler does not sample) took that whole wait, and under load the longest tasks
    // credited a function with several times the CPU their script had.
    const fns = new Map<string, number>()
    let jsSamples = 0
    for (const s of samples) {
      if (s.ts < start || s.ts >= end) continue
      const leaf = s.frames[0]
      if (!leaf || leaf.startsWith('(garbage collector)')) continue
      fns.set(leaf, (fns.get(leaf) ?? 0) + 1)
      jsSamples++
    }
    const scriptMs = (parts.script ?? 0) > 0 ? (parts.script as number) : 0
    const round = (ms: number): number => Math.round(ms * 10) / 10
    return {
      at: Math.round((start - t0) / 1000),
      wallMs: round((task.dur ?? 0) / 1000),
      cpuMs: round((task.tdur ?? 0) / 1000),
      parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v)])),
      events: [...byName]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([k, v]) => [k, round(v)]),
      forced: forced.slice(0, 6),
      functions: [...fns]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([k, n]) => [k, round((scriptMs * n) / jsSamples), n]),
    }
  })
}

/** The summary as lines a person reads in the bench's output. */
export function formatTasks(tasks: readonly TaskSummary[]): string {
  const lines: string[] = []
  for (const t of tasks) {
    const parts = Object.entries(t.parts)
      .filter(([, v]) => v >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
    lines.push(`task at +${t.at} ms: ${t.cpuMs} ms CPU, ${t.wallMs} ms wall (${parts})`)
    lines.push(`  events: ${t.events.map(([k, v]) => `${k} ${v}`).join('; ')}`)
    if (t.forced.length > 0) lines.push(`  forced: ${t.forced.join('; ')}`)
    if (t.functions.length > 0)
      lines.push(`  js (by samples): ${t.functions.map(([k, v, n]) => `${k} ${v} (${n})`).join('; ')}`)
  }
  return lines.join('\n')
}
