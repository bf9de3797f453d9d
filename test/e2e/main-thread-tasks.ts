import type { CDPSession, Page } from '@playwright/test'

/**
 * What the page's main thread did, seen two ways. The Long Tasks API (in the page) reports every task over
 * 50 ms of wall time, which on a busy machine includes time the thread was waiting for a core. Chromium's
 * trace (the `RunTask` events of the renderer's main thread, DevTools' own source) also gives each task's
 * thread time (`tdur`): the CPU the task itself used, which does not grow when other processes crowd the cores.
 */

export interface MainThreadWatch {
  /** Stops watching: the long tasks' wall durations and the main thread's tasks by CPU time, in ms. */
  stop(): Promise<{ longTasksMs: number[]; cpuTasksMs: number[] }>
}

interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  dur?: number
  tdur?: number
  args?: { name?: string }
}

/** Starts watching the page's main thread. `cpuOverMs`: the tasks reported by CPU time are those above it. */
export async function watchMainThread(page: Page, cpuOverMs = 20): Promise<MainThreadWatch> {
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[]; __longTaskObserver?: PerformanceObserver }
    w.__longTaskObserver?.disconnect()
    w.__longTasks = []
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(Math.round(e.duration))
    })
    observer.observe({ type: 'longtask' })
    w.__longTaskObserver = observer
  })
  const cdp: CDPSession = await page.context().newCDPSession(page)
  const events: TraceEvent[] = []
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])))
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,__metadata',
    transferMode: 'ReportEvents',
  })
  return {
    async stop() {
      // One more frame first, so the last task is reported.
      const longTasksMs = await page.evaluate(
        () =>
          new Promise<number[]>((resolve) =>
            requestAnimationFrame(() =>
              setTimeout(() => resolve((window as unknown as { __longTasks: number[] }).__longTasks), 0),
            ),
          ),
      )
      const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()))
      await cdp.send('Tracing.end')
      await done
      await cdp.detach()
      const mains = new Set(
        events
          .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
          .map((e) => `${e.pid}:${e.tid}`),
      )
      const cpuTasksMs = events
        .filter(
          (e) => e.name === 'RunTask' && mains.has(`${e.pid}:${e.tid}`) && (e.tdur ?? 0) > cpuOverMs * 1000,
        )
        .map((e) => Math.round((e.tdur ?? 0) / 1000))
      return { longTasksMs, cpuTasksMs }
    },
  }
}
