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

export function processResources(): ResourceCounts {
  const counts: ResourceCounts = {}
  for (const kind of process.getActiveResourcesInfo())
    if (!PASSING.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1
  for (const event of PROCESS_EVENTS) counts[`process.on('${event}')`] = process.listenerCount(event)
  return counts
}

/**
 * Kinds a file may leave behind in a shared worker without failing (they are logged): a ref'd timer runs out
 * on its own (the engine's idle and reconnect timers outlive a closed session by their delay), and a file read in
 * flight ends with its file.
 */
export const TOLERATED = new Set(['Timeout', 'FileHandleReadWrap'])

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
export async function resourcesToSettle(before: ResourceCounts, waitMs = 2_000): Promise<ResourceCounts> {
  const until = Date.now() + waitMs
  let now = processResources()
  for (let round = 0; round < 200 && grownResources(before, now).length > 0 && Date.now() < until; round++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    now = processResources()
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
