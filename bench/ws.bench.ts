import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '../test/e2e/chromium'
import { WebSocket } from 'ws'
import { createEngineService } from '../src/engine/service'
import { startBuiltWebHost } from '../test/e2e/web-host'
import { paired } from './paired'

/**
 * WebSocket benches:
 * - `ws.engine_vs_ws`: messages/s received through the engine (every message timed, logged and emitted as a
 *   timeline event to a subscriber, as a host gets them) versus a bare `ws` client counting messages, from the
 *   same server in another process, in paired back-to-back rounds; the median of the per-round ratios.
 * - `ws.heap_mb_after_1m`: the renderer's JS heap (after a forced GC) once a WebSocket session has received
 *   1,000,000 messages, measured in Chromium through the browser host with the session's lane and message log
 *   on screen, beside the heap of the same page before the session.
 */

const TOTAL = Number(process.env.BENCH_WS_TOTAL ?? 200_000)
const SIZE = 64
const ROUNDS = Number(process.env.BENCH_WS_ROUNDS ?? 5)
const HEAP_TOTAL = Number(process.env.BENCH_WS_HEAP_TOTAL ?? 1_000_000)

export interface StreamServer {
  port: number
  stop(): void
}

export async function startStreamServer(): Promise<StreamServer> {
  const child = spawn(process.execPath, [new URL('./stream-server.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', () => reject(new Error('bench stream server exited')))
  })
  return { port: Number(port), stop: () => child.kill('SIGTERM') }
}

async function runBare(url: string): Promise<number> {
  const start = performance.now()
  const ws = new WebSocket(url, { perMessageDeflate: false })
  let count = 0
  ws.on('message', () => count++)
  await new Promise<void>((resolve, reject) => {
    ws.once('close', () => resolve())
    ws.once('error', reject)
  })
  const elapsed = performance.now() - start
  if (count !== TOTAL) throw new Error(`bare ws client got ${count}/${TOTAL} messages`)
  return (TOTAL / elapsed) * 1000
}

async function runEngine(url: string): Promise<number> {
  const service = createEngineService({ host: 'test' })
  let messages = 0
  service.subscribe((batch) => {
    for (const e of batch.events)
      if (e.type === 'ws-message' && e.dir === 'in' && e.kind === 'text') messages += e.count ?? 1
  })
  const start = performance.now()
  const r = await service.invoke('ws.open', {
    url,
    headers: [],
    protocols: [],
    options: { perMessageDeflate: false },
  })
  if (!r.ok) throw new Error(r.error.message)
  const { final } = await service.streams.wait(r.value.sid)
  const elapsed = performance.now() - start
  service.flush()
  await service.dispose()
  if (final.type !== 'done') throw new Error(`engine session ended with ${final.type}`)
  if (messages !== TOTAL) throw new Error(`engine emitted ${messages}/${TOTAL} message events`)
  return (TOTAL / elapsed) * 1000
}

async function engineVsWs(port: number): Promise<Record<string, number>> {
  const url = `ws://127.0.0.1:${port}/flood?n=${TOTAL}&size=${SIZE}`
  await runBare(url)
  await runEngine(url)
  const r = await paired(
    'ws',
    ROUNDS,
    { name: 'engine', run: () => runEngine(url) },
    { name: 'bare ws', run: () => runBare(url) },
    'msg/s',
  )
  const ratio = r.ratio
  const bare = r.b
  const engine = r.a
  console.log(`ws: ${TOTAL} messages of ${SIZE} B, median of ${ROUNDS} paired rounds`)
  console.log(`  bare ws client:    ${bare.toFixed(0)} msg/s`)
  console.log(`  Flightdeck engine: ${engine.toFixed(0)} msg/s (log + timeline events)`)
  console.log(`  ratio engine/ws:   ${ratio.toFixed(3)} (target >= 0.8)`)
  return {
    'ws.engine_msgs_per_s': Math.round(engine),
    'ws.bare_msgs_per_s': Math.round(bare),
    'ws.engine_vs_ws': Math.round(ratio * 1000) / 1000,
  }
}

async function rendererHeap(port: number): Promise<Record<string, number>> {
  const host = await startBuiltWebHost()
  const browser = await chromium.launch(chromiumLaunchOptions)
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
    await page.goto(host.url)
    await page.getByRole('textbox', { name: 'URL' }).waitFor()
    const cdp = await page.context().newCDPSession(page)
    const heapMb = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage')
      await cdp.send('HeapProfiler.collectGarbage')
      const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }
      return usage.usedSize / (1024 * 1024)
    }
    const before = await heapMb()
    // As a person would: WebSocket mode, the URL, Enter. The new lane is selected and its log follows along.
    await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'WebSocket' })
    const url = page.getByRole('textbox', { name: 'URL' })
    // 1,000 messages every 5 ms: a steady 200,000 messages/s for five seconds.
    await url.fill(`ws://127.0.0.1:${port}/paced?n=${HEAP_TOTAL}&size=32&burst=1000&every=5`)
    const start = performance.now()
    await url.press('Enter')
    const details = page.getByRole('region', { name: 'Stream details' })
    await details.waitFor()
    // The server closes once all are sent; the session's pane then says "closed".
    await page.locator('[aria-label="Stream details"][data-state="closed"]').waitFor({ timeout: 300_000 })
    const summary = (await details.locator('.stream-summary').textContent()) ?? ''
    const received = Number(/↓ ([\d,]+) received/.exec(summary)?.[1]?.replace(/,/g, '') ?? 0)
    // Every message, and the close frame.
    if (received !== HEAP_TOTAL + 1)
      throw new Error(`the lane counted ${received} of ${HEAP_TOTAL + 1} messages`)
    const seconds = (performance.now() - start) / 1000
    await page.waitForTimeout(500)
    const after = await heapMb()
    const rows = await details.getByRole('grid', { name: 'Messages' }).getAttribute('aria-rowcount')
    console.log(`ws heap: ${HEAP_TOTAL} messages through the browser host in ${seconds.toFixed(1)} s`)
    console.log(
      `  renderer heap before ${before.toFixed(1)} MB, after ${after.toFixed(1)} MB (log rows ${rows})`,
    )
    return {
      'ws.heap_mb_before': Math.round(before * 10) / 10,
      'ws.heap_mb_after_1m': Math.round(after * 10) / 10,
    }
  } finally {
    await browser.close()
    await host.stop()
  }
}

export async function benchWs(): Promise<Record<string, number>> {
  const server = await startStreamServer()
  try {
    const speed = await engineVsWs(server.port)
    const heap = await rendererHeap(server.port)
    return { ...speed, ...heap }
  } finally {
    server.stop()
  }
}
