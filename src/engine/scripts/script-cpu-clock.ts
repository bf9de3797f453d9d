/**
 * The time a script is charged: the wall time of a span, but never more than the CPU time the process used in
 * it. A script's CPU limit is about the work it does; on a loaded machine a process waits for a core, and that
 * wait, counted as wall time, stopped scripts as "CPU time over 2 s" that had used a fraction of it. The process
 * as a whole (every thread) is what Node 20 can measure, so time another thread of the engine used in the span
 * can still be charged to the script, never the time no thread of this process ran.
 */

export interface ScriptSpan {
  readonly wallStart: number
  readonly cpuStartMs: number
}

export function processCpuMs(): number {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}

export function startSpan(): ScriptSpan {
  return { wallStart: Date.now(), cpuStartMs: processCpuMs() }
}

/** ms charged for the span so far: the lesser of its wall time and the process's CPU time in it. */
export function spentMs(span: ScriptSpan): number {
  return Math.min(Date.now() - span.wallStart, processCpuMs() - span.cpuStartMs)
}
