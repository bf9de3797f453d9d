import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '../test/e2e/chromium'
import { createEngineService } from '../src/engine/service'
import { startWebHost } from '../src/web/server'

/**
 * The soak: the built app in Chromium through the browser host, with the engine in this process so its heap can
 * be read. 20 SSE streams stay open throughout; 100,000 requests go out as "Send ×1000" batches fired from the
 * page (so the renderer receives every event); a request file is saved after every batch. Both heaps are
 * sampled after a forced GC at 10,000 requests, at 30,000 and at the end.
 *
 * The engine keeps the last 20,000 sessions' details and bodies and the timeline the newest 20,000 rows, by
 * design; those windows fill during the first 20,000 requests. Growth after that is what would be a leak:
 * - soak.heap_growth_mb_per_10k: engine + renderer growth per 10,000 requests from 30,000 to the end (the
 *   figure the issue's target of ≤ 5 applies to), with the two parts as soak.engine_… and soak.renderer_….
 * - soak.fill_growth_mb_per_10k: the same from 10,000 to 30,000, while the windows fill (for reference).
 */

const TOTAL = Number(process.env.BENCH_SOAK_TOTAL ?? 100_000)
const BATCH = 1000
const STREAMS = 20
const FIRST = Math.min(10_000, TOTAL / 4)
const WARM = Math.min(30_000, TOTAL / 2)
const DEADLINE_MS = Number(process.env.BENCH_SOAK_DEADLINE_MS ?? 8 * 60_000)

const root = fileURLToPath(new URL('..', import.meta.url))

function ensureBuilt(): void {
  if (existsSync(join(root, 'out/web/bridge.js')) && existsSync(join(root, 'out/renderer/index.html'))) return
  console.log('building the app first (npm run build)')
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root })
  if (r.status !== 0) throw new Error('npm run build failed')
}

function engineGc(): () => void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  return () => {
    gc()
    gc()
  }
}

async function startServer(): Promise<{ base: string; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./soak-server.mjs', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', () => reject(new Error('soak server exited')))
  })
  return { base: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') }
}

interface PageApi {
  api: {
    invoke(
      name: string,
      payload: unknown,
    ): Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>
  }
}

const mb = (bytes: number): number => bytes / (1024 * 1024)
const round = (n: number): number => Math.round(n * 100) / 100

export async function benchSoak(): Promise<Record<string, number>> {
  ensureBuilt()
  const gc = engineGc()
  const server = await startServer()
  const tempDir = mkdtempSync(join(tmpdir(), 'fd-soak-'))
  const service = createEngineService({
    host: 'web',
    configDir: join(tempDir, 'config'),
    tempDir: join(tempDir, 'bodies'),
    watchCollections: true,
    persistWorkspace: false,
    settings: { globalConcurrency: 100, perOriginConcurrency: 100 },
  })
  const host = await startWebHost({
    service,
    rendererDir: join(root, 'out/renderer'),
    bridgeFile: join(root, 'out/web/bridge.js'),
    log: () => {},
  })
  const browser = await chromium.launch(chromiumLaunchOptions)
  const started = Date.now()
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.addInitScript('globalThis.__name = (f) => f')
    await page.goto(host.url)
    await page.getByRole('textbox', { name: 'URL' }).waitFor()
    const cdp = await page.context().newCDPSession(page)
    const rendererHeap = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage')
      await cdp.send('HeapProfiler.collectGarbage')
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }
      return mb(heap.usedSize)
    }
    const engineHeap = (): number => {
      gc()
      return mb(process.memoryUsage().heapUsed)
    }
    const invoke = (name: string, payload: unknown): Promise<unknown> =>
      page.evaluate(
        async ([n, p]) => {
          const r = await (globalThis as unknown as PageApi).api.invoke(n as string, p)
          if (!r.ok) throw new Error(r.error?.message ?? 'failed')
          return r.value
        },
        [name, payload] as const,
      )

    // A collection to save into, and 20 streams that stay open for the whole run.
    const collection = join(tempDir, 'collection')
    await invoke('collection.open', { dir: collection, create: true, name: 'Soak' })
    const created = (await invoke('collection.createRequest', {
      dir: collection,
      folder: '',
      request: {
        name: 'Soak',
        kind: 'http',
        method: 'GET',
        url: `${server.base}/r`,
        description: '',
        headers: [],
        body: { kind: 'none' },
        auth: { type: 'inherit' },
        options: {},
        protocols: [],
        messages: [],
      },
    })) as { path: string }
    const streamSids: string[] = []
    for (let i = 0; i < STREAMS; i++) {
      const r = (await invoke('sse.open', {
        request: {
          method: 'GET',
          url: `${server.base}/ticks?s=${i}`,
          headers: [],
          body: { kind: 'none' },
          options: {},
        },
        stream: { reconnect: false },
      })) as { sid: string }
      streamSids.push(r.sid)
    }

    const request = {
      method: 'GET',
      url: `${server.base}/r`,
      headers: [],
      body: { kind: 'none' },
      options: {},
    }
    let sent = 0
    let version: string | undefined
    let warmEngine = 0
    let warmRenderer = 0
    let firstEngine = 0
    let firstRenderer = 0
    const t0 = performance.now()
    while (sent < TOTAL) {
      if (Date.now() - started > DEADLINE_MS)
        throw new Error(`soak passed its ${DEADLINE_MS} ms deadline at ${sent}`)
      await invoke('http.send', { request, count: BATCH })
      // The whole batch is queued when the send returns; wait for the engine to drain it.
      while (service.http.inFlight + service.http.queued > 0) await new Promise((r) => setTimeout(r, 10))
      sent += BATCH
      // Repeated saves: the request file is rewritten (atomically) after every batch.
      const saved = (await invoke('collection.save', {
        dir: collection,
        path: created.path,
        request: {
          name: 'Soak',
          kind: 'http',
          method: 'GET',
          url: `${server.base}/r?batch=${sent}`,
          description: `saved after ${sent} requests`,
          headers: [],
          body: { kind: 'none' },
          auth: { type: 'inherit' },
          options: {},
          protocols: [],
          messages: [],
        },
        baseVersion: version ?? null,
      })) as { version?: string }
      version = saved.version
      if (sent === FIRST) {
        await page.waitForTimeout(500)
        firstEngine = engineHeap()
        firstRenderer = await rendererHeap()
        console.log(
          `  at ${sent}: engine ${firstEngine.toFixed(1)} MB, renderer ${firstRenderer.toFixed(1)} MB`,
        )
      }
      if (sent === WARM) {
        // Let the renderer take the last batch in before sampling.
        await page.waitForTimeout(500)
        warmEngine = engineHeap()
        warmRenderer = await rendererHeap()
        console.log(
          `  warm at ${sent}: engine ${warmEngine.toFixed(1)} MB, renderer ${warmRenderer.toFixed(1)} MB`,
        )
      } else if (sent % 20_000 === 0) {
        console.log(`  ${sent} requests, ${((sent / (performance.now() - t0)) * 1000).toFixed(0)} req/s`)
      }
    }
    await page.waitForTimeout(500)
    const endEngine = engineHeap()
    const endRenderer = await rendererHeap()
    const tens = (TOTAL - WARM) / 10_000
    const fillTens = (WARM - FIRST) / 10_000
    const fillGrowth = (warmEngine + warmRenderer - firstEngine - firstRenderer) / fillTens
    const engineGrowth = (endEngine - warmEngine) / tens
    const rendererGrowth = (endRenderer - warmRenderer) / tens
    // The streams stayed open and kept receiving throughout (a tick every 200 ms each).
    const seconds = (performance.now() - t0) / 1000
    for (const sid of streamSids) {
      const page1 = (await invoke('stream.read', { sid, from: 0, count: 1 })) as { total: number }
      if (page1.total < seconds * 2)
        throw new Error(`stream ${sid} received only ${page1.total} events in ${seconds.toFixed(0)} s`)
    }
    const out = {
      'soak.requests': TOTAL,
      'soak.duration_s': round((performance.now() - t0) / 1000),
      'soak.engine_heap_mb_end': round(endEngine),
      'soak.renderer_heap_mb_end': round(endRenderer),
      'soak.engine_heap_growth_mb_per_10k': round(engineGrowth),
      'soak.renderer_heap_growth_mb_per_10k': round(rendererGrowth),
      'soak.heap_growth_mb_per_10k': round(engineGrowth + rendererGrowth),
      'soak.fill_growth_mb_per_10k': round(fillGrowth),
    }
    console.log(
      `  ${TOTAL} requests with ${STREAMS} streams open in ${out['soak.duration_s']} s: engine ` +
        `${warmEngine.toFixed(1)} → ${endEngine.toFixed(1)} MB, renderer ${warmRenderer.toFixed(1)} → ` +
        `${endRenderer.toFixed(1)} MB; growth ${out['soak.heap_growth_mb_per_10k']} MB per 10k (target ≤ 5)`,
    )
    for (const sid of streamSids) await invoke('session.cancel', { sid }).catch(() => undefined)
    return out
  } finally {
    await browser.close()
    await host.close()
    await service.dispose()
    server.stop()
    rmSync(tempDir, { recursive: true, force: true })
  }
}
