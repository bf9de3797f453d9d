import { createHook } from 'node:async_hooks'

/** Counts promises made in this process while enabled: nothing else may run meanwhile. */
function promiseCounter(): { enable(): void; disable(): void; count(): number } {
  let promises = 0
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') promises++
    },
  })
  return { enable: () => hook.enable(), disable: () => hook.disable(), count: () => promises }
}

/** Promises made while `run` runs, and what it gave. */
export async function countingPromises<T>(run: () => Promise<T>): Promise<{ value: T; promises: number }> {
  const counter = promiseCounter()
  counter.enable()
  try {
    const value = await run()
    return { value, promises: counter.count() }
  } finally {
    counter.disable()
  }
}

/** Promises made while synchronous `run` runs (none awaited, so none of the count is the counting's own). */
export function promisesMadeBy(run: () => void): number {
  const counter = promiseCounter()
  counter.enable()
  try {
    run()
  } finally {
    counter.disable()
  }
  return counter.count()
}
