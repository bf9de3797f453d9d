import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from '@playwright/test'
import { chromiumLaunchOptions } from '../test/e2e/chromium'
import { startScaleServer } from '../test/e2e/scale-server'
import { startBuiltWebHost } from '../test/e2e/web-host'
import { mainThreadTaskCpu } from './ui-trace'

/**
 * What the page's main thread spends while the timeline has little to show, in Chromium through the browser
 * host (the built app; BENCH_UI_WEB_ENTRY runs another build's copy of out/):
 * - ui.idle_inflight_cpu_ms_per_s: one request held by the server, sent from the composer on a fresh page; the
 *   main thread's CPU (its tasks' thread time in a trace) over 8 s of it, per second. Its details are shown (the
 *   sent request is selected), so this is the waterfall's paints and the live durations together.
 * - ui.idle_frozen_cpu_ms_per_s: the same, with the waterfall's window frozen ("f") on what was there before the
 *   held request: nothing on screen moves.
 * - ui.burst_1000_cpu_ms_per_s (ui.burst_1000_cpu_ms): "Send ×1000" of 100 ms requests at 200 in flight on the
 *   same page, from the click to the toolbar saying nothing is in flight: CPU per second of the burst (and all).
 */

const HOLD_MEASURE_MS = 8000

interface Globals {
  document: { querySelector(sel: string): { textContent: string | null } | null }
  api: { invoke(name: string, payload: unknown): Promise<{ ok: boolean }> }
}

const stats = (): string =>
  (globalThis as unknown as Globals).document.querySelector('.toolbar-stats')?.textContent ?? ''

async function sendOne(page: Page, url: string): Promise<void> {
  const field = page.getByRole('textbox', { name: 'URL' })
  await field.fill(url)
  await field.press('Control+Enter')
}

/** The page main thread's CPU ms over `run`, and the wall ms it took. */
async function tracedCpu(
  browser: Browser,
  page: Page,
  origin: string,
  run: () => Promise<void>,
): Promise<{ cpuMs: number; wallMs: number }> {
  await browser.startTracing(page, {
    categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'],
  })
  const t0 = Date.now()
  await run()
  const wallMs = Date.now() - t0
  const tasks = mainThreadTaskCpu(await browser.stopTracing(), origin)
  return { cpuMs: tasks.reduce((a, b) => a + b, 0), wallMs }
}

async function inFlightThen(page: Page): Promise<void> {
  await page.waitForFunction(() => stats().includes('in flight'), undefined, { timeout: 10_000 })
}

export async function benchUiIdle(): Promise<Record<string, number>> {
  const entry = process.env.BENCH_UI_WEB_ENTRY
  const built = entry ?? fileURLToPath(new URL('../out/web/index.js', import.meta.url))
  if (!existsSync(built))
    throw new Error(`ui-idle measures the built app: ${built} is missing (npm run build)`)
  const server = await startScaleServer()
  const host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'fd-bench-ui-idle-')) },
    ...(entry === undefined ? {} : { entry }),
  })
  const browser = await chromium.launch(chromiumLaunchOptions)
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } })
    await page.addInitScript('globalThis.__name = (f) => f')
    await page.addInitScript(`globalThis.stats = ${stats.toString()}`)
    await page.goto(host.url)
    const origin = new URL(host.url).origin
    const hold = HOLD_MEASURE_MS + 4000

    await sendOne(page, `${server.url}/item/1?ms=${hold}`)
    await inFlightThen(page)
    const live = await tracedCpu(browser, page, origin, () => page.waitForTimeout(HOLD_MEASURE_MS))
    await page.waitForFunction(() => !stats().includes('in flight'), undefined, { timeout: hold + 10_000 })

    await sendOne(page, `${server.url}/item/2?ms=${hold}`)
    await inFlightThen(page)
    await page.getByRole('grid', { name: 'Timeline' }).focus()
    await page.keyboard.press('f')
    const frozen = await tracedCpu(browser, page, origin, () => page.waitForTimeout(HOLD_MEASURE_MS))
    await page.keyboard.press('f')
    await page.waitForFunction(() => !stats().includes('in flight'), undefined, { timeout: hold + 10_000 })

    const ok = await page.evaluate(
      async () =>
        (
          await (globalThis as unknown as Globals).api.invoke('settings.set', {
            globalConcurrency: 200,
            perOriginConcurrency: 200,
          })
        ).ok,
    )
    if (!ok) throw new Error('settings.set failed')
    await page.getByRole('textbox', { name: 'URL' }).fill(`${server.url}/item/3?ms=100`)
    await page.getByRole('spinbutton', { name: 'Count' }).fill('1000')
    const send = page.getByRole('button', { name: /Send ×/ })
    const burst = await tracedCpu(browser, page, origin, async () => {
      await send.click()
      await inFlightThen(page)
      await page.waitForFunction(
        () => stats().startsWith('1,002 requests') && !stats().includes('in flight'),
        undefined,
        {
          timeout: 120_000,
          polling: 100,
        },
      )
    })
    const perS = (r: { cpuMs: number; wallMs: number }): number => Math.round((r.cpuMs / r.wallMs) * 1000)
    console.log(
      `one held request: ${perS(live)} ms CPU/s; frozen window: ${perS(frozen)} ms CPU/s; ` +
        `1,000-request burst: ${Math.round(burst.cpuMs)} ms CPU over ${burst.wallMs} ms (${perS(burst)} ms/s)`,
    )
    return {
      'ui.idle_inflight_cpu_ms_per_s': perS(live),
      'ui.idle_frozen_cpu_ms_per_s': perS(frozen),
      'ui.burst_1000_cpu_ms_per_s': perS(burst),
      'ui.burst_1000_cpu_ms': Math.round(burst.cpuMs),
    }
  } finally {
    await browser.close()
    await host.stop()
    await server.close()
  }
}

// Run on its own: `npx tsx bench/ui-idle.bench.ts` (BENCH_UI_WEB_ENTRY for another build).
if (process.argv[1]?.endsWith('ui-idle.bench.ts')) {
  benchUiIdle().then(
    (r) => {
      console.log(JSON.stringify(r))
      process.exit(0)
    },
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    },
  )
}
