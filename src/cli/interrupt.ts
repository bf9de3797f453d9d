/**
 * Ctrl+C (SIGINT) and the SIGTERM a CI runner or `timeout` sends: a command stops its work, still writes what it
 * has (a run's reports, a stream's last lines), and exits as a process that signal ended is seen by shells:
 * 128 + the signal's number, 130 and 143. So `flightdeck run … || echo failed` and a CI job's log tell an
 * interrupted run from one whose requests failed (exit 1). A second signal ends the process at once (Node's
 * default, back once the first has come).
 */

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const

export type StopSignal = keyof typeof EXIT_CODES

export interface Interrupt {
  /** The signal that came, or null. */
  readonly signal: StopSignal | null
  /** `code`, or the signal's exit code when one came. */
  exitCode(code: number): number
  /** Stops listening (the command is over). */
  off(): void
  /**
   * What the signal does from now on, for the command's next step (a body read, then the send): one listener
   * from the command's start to its end, so no step between two leaves the signal to Node's default (a silent
   * death). A signal that already came is not repeated: the new step reads `signal` before it starts.
   */
  handOver(stop: (signal: StopSignal) => void): void
  /** Settles with the signal when it comes (never, if none does): to race a wait that cannot be stopped. */
  readonly signalled: Promise<StopSignal>
}

/** Calls `stop` on the first SIGINT or SIGTERM, once; a signal after it gets Node's default. */
export function onInterrupt(stop: (signal: StopSignal) => void): Interrupt {
  let signal: StopSignal | null = null
  let current = stop
  let settle: (signal: StopSignal) => void = () => {}
  const signalled = new Promise<StopSignal>((resolve) => (settle = resolve))
  const listeners = new Map<StopSignal, () => void>()
  const off = (): void => {
    for (const [name, listener] of listeners) process.off(name, listener)
    listeners.clear()
  }
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    const listener = (): void => {
      if (signal !== null) return
      signal = name
      off()
      current(name)
      settle(name)
    }
    listeners.set(name, listener)
    process.on(name, listener)
  }
  return {
    get signal() {
      return signal
    },
    exitCode: (code) => (signal === null ? code : EXIT_CODES[signal]),
    off,
    handOver: (next) => {
      current = next
    },
    signalled,
  }
}

/** How a stream's own close line names the signal. */
export function signalWords(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'on Ctrl+C' : 'on SIGTERM'
}
