/** The bits of the page the in-page code touches (the bench's tsconfig has no DOM lib). */
export interface El {
  textContent: string | null
  isConnected?: boolean
  value?: string
  disabled?: boolean
  click(): void
}
export interface Doc {
  querySelector(sel: string): El | null
}
export interface PageGlobals {
  document: Doc
  requestAnimationFrame(cb: (t: number) => void): void
  api: { invoke(name: string, payload: unknown): Promise<{ ok: boolean }> }
  __frames?: number[]
  __doneAt?: number
  /** Main-thread time the frame counter itself took during the burst. */
  __counterMs?: number
  /** Durations of the main thread's long tasks (the Long Tasks API: each over 50 ms) during the burst. */
  __longTasks?: number[]
  performance: { now(): number }
  console: { timeStamp(label: string): void }
  PerformanceObserver: {
    new (cb: (list: { getEntries(): { startTime: number; duration: number }[] }) => void): {
      observe(options: { type: string; buffered?: boolean }): void
      disconnect(): void
    }
  }
}

/**
 * In the page (page.evaluate): from now until the toolbar says all `rows` are done, every gap between animation
 * frames (__frames), the Long Tasks API's tasks (__longTasks) and when it said done (__doneAt); `stamp` marks the
 * span's start in the trace.
 */
export const recordBurstFrames = ([rows, stamp]: readonly [number, string]): void => {
  const g = globalThis as unknown as PageGlobals
  const frames: number[] = []
  g.__frames = frames
  delete g.__doneAt
  const longTasks: number[] = []
  g.__longTasks = longTasks
  const from = g.performance.now()
  g.console.timeStamp(stamp)
  const observer = new g.PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.startTime >= from && longTasks.length < 100_000) longTasks.push(e.duration)
  })
  observer.observe({ type: 'longtask' })
  let last = -1
  let stats: El | null = null
  // As the toolbar writes it, digit-grouped ("5,000 requests"), without ICU in the page.
  const done = `${String(rows).replace(/\B(?=(\d{3})+$)/g, ',')} requests`
  g.__counterMs = 0
  // The counter runs on the page's thread, in the frames it counts: it keeps the toolbar's element and
  // reads its text (no layout), and times itself, so the report says what it took from the page.
  const tick = (t: number): void => {
    const t0 = g.performance.now()
    if (last >= 0) frames.push(t - last)
    last = t
    if (!stats?.isConnected) stats = g.document.querySelector('.toolbar-stats')
    const text = stats?.textContent ?? ''
    if (text.startsWith(done) && !text.includes('in flight')) {
      g.__doneAt = Date.now()
      observer.disconnect()
    } else if (frames.length < 100_000) g.requestAnimationFrame(tick)
    g.__counterMs = (g.__counterMs ?? 0) + (g.performance.now() - t0)
  }
  g.requestAnimationFrame(tick)
}
