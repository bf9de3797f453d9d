import { syncBuiltinESMExports } from 'node:module'
import timers from 'node:timers'

/**
 * What a test file running in a shared worker process (test/setup/fresh-modules.ts) may leave behind, counted by
 * kind: Node's active resources (servers, sockets, child processes, ref'd timers, watchers) and the listeners on
 * process events a file could add and forget.
 */

export type ResourceCounts = Record<string, number>

const PROCESS_EVENTS = [
  'exit',
  'beforeExit',
  'uncaughtException',
  'uncaughtExceptionMonitor',
  'unhandledRejection',
  'warning',
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
] as const

/** Resources that come and go with work in flight (a file read, an immediate), not left running by anyone. */
const PASSING = new Set([
  'FSReqCallback',
  'FSReqPromise',
  'Immediate',
  'GetAddrInfoReqWrap',
  'FileHandleCloseReq',
])

/**
 * The ref'd timers made since it started (setTimeout, setInterval) still to run: a file's own, where Node's count
 * of every timer alive would let an earlier file's timer that fires meanwhile hide one the file left.
 */
export interface OwnTimers {
  pending(): number
  stop(): void
}

type TimerMaker = (...args: unknown[]) => NodeJS.Timeout
/** Node's Timeout is marked destroyed once it has run (a timeout) or been cleared. */
type Timer = NodeJS.Timeout & { _destroyed?: boolean }

export function watchOwnTimers(): OwnTimers {
  const made: Timer[] = []
  const pendingOnes = (): Timer[] => made.filter((t) => !t._destroyed && t.hasRef())
  const originals = { setTimeout: timers.setTimeout, setInterval: timers.setInterval }
  const wrap = (make: TimerMaker): TimerMaker => {
    const wrapped = function (this: unknown, ...args: unknown[]): NodeJS.Timeout {
      const timer = make.apply(this, args)
      made.push(timer)
      // Keeps the list to the timers still to run in a file that makes many.
      if (made.length > 10_000) made.splice(0, made.length, ...pendingOnes())
      return timer
    }
    // setTimeout's util.promisify.custom and the like.
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(make))
    return wrapped
  }
  const install = (set: typeof originals): void => {
    globalThis.setTimeout = set.setTimeout
    globalThis.setInterval = set.setInterval
    timers.setTimeout = set.setTimeout
    timers.setInterval = set.setInterval
    syncBuiltinESMExports()
  }
  install({
    setTimeout: wrap(originals.setTimeout as unknown as TimerMaker) as unknown as typeof setTimeout,
    setInterval: wrap(originals.setInterval as unknown as TimerMaker) as unknown as typeof setInterval,
  })
  return { pending: () => pendingOnes().length, stop: () => install(originals) }
}

/** Counts by kind; with `ownTimers`, `Timeout` counts only those (see OwnTimers). */
export function processResources(ownTimers?: OwnTimers): ResourceCounts {
  const counts: ResourceCounts = {}
  for (const kind of process.getActiveResourcesInfo())
    if (!PASSING.has(kind) && !(ownTimers && kind === 'Timeout')) counts[kind] = (counts[kind] ?? 0) + 1
  if (ownTimers) counts['Timeout'] = ownTimers.pending()
  for (const event of PROCESS_EVENTS) counts[`process.on('${event}')`] = process.listenerCount(event)
  return counts
}

/**
 * Kinds a file may leave behind in a shared worker without failing (they are logged): a ref'd timer runs out
 * on its own (the engine's idle and reconnect timers outlive a closed session by their delay), and a file read in
 * flight ends with its file.
 */
export const TOLERATED = new Set(['Timeout', 'FileHandleReadWrap'])

/**
 * The vitest projects whose files run one after another in a worker (isolate: false), where fresh-modules.ts fails
 * a file for what it leaves: cli-process too since a run of its 63 files under the guard left nothing but a file
 * read in flight.
 */
export const LEFTOVERS_FAIL_IN: ReadonlySet<string> = new Set(['shared-process', 'cli-process'])

/** `kind +n` for each kind there is more of now than before. */
export function grownResources(before: ResourceCounts, after: ResourceCounts): string[] {
  return Object.entries(after)
    .filter(([kind, n]) => n > (before[kind] ?? 0))
    .map(([kind, n]) => `${kind} +${n - (before[kind] ?? 0)}`)
}

/**
 * The counts once what was closing has closed: a server's or socket's close completes a turn or a few later, so
 * the count is read again, bounded, until nothing has grown (at most `waitMs`).
 */
export async function resourcesToSettle(
  before: ResourceCounts,
  waitMs = 2_000,
  ownTimers?: OwnTimers,
): Promise<ResourceCounts> {
  const until = Date.now() + waitMs
  let now = processResources(ownTimers)
  for (let round = 0; round < 200 && grownResources(before, now).length > 0 && Date.now() < until; round++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    now = processResources(ownTimers)
  }
  return now
}

/**
 * Runs (once each, as at a process's exit, with code 0) and removes the `exit` listeners added since `before` was
 * taken (`new Set(process.rawListeners('exit'))`): the engine removes its temp and config folders on exit, and a
 * shared worker's files each add their own.
 */
export function runExitListenersSince(before: ReadonlySet<unknown>): number {
  let ran = 0
  for (const listener of process.rawListeners('exit')) {
    if (before.has(listener)) continue
    process.removeListener('exit', listener as (code: number) => void)
    ;(listener as (code: number) => void).call(process, 0)
    ran++
  }
  return ran
}
