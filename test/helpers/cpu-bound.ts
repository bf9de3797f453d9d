/**
 * Bounds work done in this process (an engine service, the servers it talks to, the test itself) by the CPU time
 * the process spends on it, not by the wall clock: on a loaded two-core machine (load 20-25) wall time mostly
 * counts the turns spent waiting for a core, and a case that needs 2 s of CPU took over 20 s of wall. Work that
 * spins without finishing fails on its CPU time; work that hangs idle (a reply that never comes) spends almost
 * none and fails on the wall ceiling, so nothing waits for ever. Like test/helpers/child-wait.ts, for a child.
 */
export interface CpuBound {
  /** CPU time (user + system, every thread of this process) the work may spend before the wait fails. */
  cpuMs: number
  /** Wall time after which the wait fails whatever the CPU time: only a hang idle for this long reaches it. */
  wallMs: number
}

/** Enough for any engine-in-process step of the tests (each needs a few seconds of CPU at most). */
export const IN_PROCESS_BOUND: CpuBound = { cpuMs: 30_000, wallMs: 240_000 }
/** A vitest timeout for a case or hook that waits within IN_PROCESS_BOUND: past its wall ceiling, so the wait says why. */
export const IN_PROCESS_CASE_TIMEOUT_MS = IN_PROCESS_BOUND.wallMs + 30_000

/** CPU time (user + system) this process has used, in ms. */
export function ownCpuMs(): number {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}

/** Resolves as `work` does; fails, naming `what`, once this process spends `bound.cpuMs` of CPU or the wall ceiling passes first. */
export function withinCpu<T>(what: string, work: Promise<T>, bound: CpuBound = IN_PROCESS_BOUND): Promise<T> {
  const cpuEnd = ownCpuMs() + bound.cpuMs
  const wallEnd = Date.now() + bound.wallMs
  return new Promise<T>((resolve, reject) => {
    const timer = setInterval(() => {
      if (ownCpuMs() > cpuEnd) fail(`${what} did not finish in ${bound.cpuMs} ms of CPU time`)
      else if (Date.now() > wallEnd) fail(`${what} did not finish in ${bound.wallMs} ms of wall time`)
    }, 50)
    const fail = (message: string): void => {
      clearInterval(timer)
      reject(new Error(message))
    }
    work.then(
      (value) => {
        clearInterval(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearInterval(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}
