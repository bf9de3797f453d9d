import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * Waits on a child process bounded by the CPU time it spends, not by the wall clock: on a loaded two-core machine
 * (load 25) a child takes many times its CPU time in wall time just to start, so a wall-time wait fails a child
 * that was merely waiting for a core. A child that spins without getting there fails on its CPU time; one that
 * hangs idle spends none and fails on the generous wall ceiling, so nothing waits for ever.
 */
export interface ChildBound {
  /** CPU time (user + system) the child may spend before the wait fails. */
  cpuMs: number
  /** Wall time after which the wait fails whatever the CPU time: only a hang idle for this long reaches it. */
  wallMs: number
}

/** Enough for any child script of the tests (they need under 2 s of CPU to start and do their part). */
export const CHILD_BOUND: ChildBound = { cpuMs: 15_000, wallMs: 240_000 }
/** A vitest timeout for a case that waits on a child: past CHILD_BOUND's wall ceiling, so the wait says why. */
export const CHILD_CASE_TIMEOUT_MS = CHILD_BOUND.wallMs + 30_000

/** Linux counts a process's CPU time in clock ticks of 10 ms (USER_HZ is 100 on every Linux architecture). */
const TICK_MS = 10

/** CPU time (user + system) the process `pid` has used, in ms; null once it is gone, or where there is no /proc. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: the fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return null
  }
}

/** Resolves with the first match of `pattern` in the child's stdout; fails if it exits first or the bound runs out. */
export function childOutput(
  child: ChildProcess,
  pattern: RegExp,
  bound: ChildBound = CHILD_BOUND,
): Promise<RegExpExecArray> {
  return watch(child, bound, `output matching ${pattern}`, (settle) => {
    let out = ''
    const onData = (d: Buffer): void => {
      out += d.toString()
      const m = pattern.exec(out)
      if (m) settle(null, m)
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      settle(new Error(`the child exited (${signal ?? `code ${code}`}) before its output matched ${pattern}`))
    child.stdout?.on('data', onData)
    child.once('exit', onExit)
    return () => {
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
    }
  })
}

/** Resolves with the child's exit code and signal once it exits; fails if the bound runs out first. */
export function childExit(
  child: ChildProcess,
  bound: ChildBound = CHILD_BOUND,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return watch(child, bound, 'exit', (settle) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      settle(null, { code, signal })
    if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode)
    else child.once('exit', onExit)
    return () => child.off('exit', onExit)
  })
}

type Settle<T> = (error: Error | null, value?: T) => void

/** Runs `start` (which returns its own clean-up) and settles on it, or fails once the child's bound runs out. */
function watch<T>(
  child: ChildProcess,
  bound: ChildBound,
  what: string,
  start: (settle: Settle<T>) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let stderr = ''
    const onErr = (d: Buffer): void => void (stderr = (stderr + d.toString()).slice(-2000))
    child.stderr?.on('data', onErr)
    const wallEnd = Date.now() + bound.wallMs
    let done = false
    let stop = (): void => {}
    const settle: Settle<T> = (error, value) => {
      if (done) return
      done = true
      clearInterval(timer)
      stop()
      child.stderr?.off('data', onErr)
      if (error) reject(new Error(`${error.message}${stderr ? `; its stderr: ${stderr}` : ''}`))
      else resolve(value as T)
    }
    const timer = setInterval(() => {
      const cpu = child.pid === undefined ? null : processCpuMs(child.pid)
      if (cpu !== null && cpu > bound.cpuMs)
        settle(new Error(`the child spent ${cpu} ms of CPU time (over ${bound.cpuMs}) with no ${what}`))
      else if (Date.now() > wallEnd)
        settle(
          new Error(
            `no ${what} from the child in ${bound.wallMs} ms of wall time (it spent ${cpu ?? '?'} ms of CPU)`,
          ),
        )
    }, 50)
    stop = start(settle)
  })
}
