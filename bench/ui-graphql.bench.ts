import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from '@playwright/test'
import { startBigSchemaServer, type BigSchemaFixture } from '../test/fixtures/graphql-big-schema'
import { chromiumLaunchOptions } from '../test/e2e/chromium'
import { watchMainThread } from '../test/e2e/main-thread-tasks'
import { startBuiltWebHost } from '../test/e2e/web-host'

/**
 * A big GraphQL schema loading in the app, in Chromium through the browser host (the built app;
 * BENCH_UI_WEB_ENTRY runs another build's copy of out/): a 5,000-type schema (a 12 MB introspection, the
 * fixture of test/e2e/graphql-big-schema.spec.ts) fetched from the composer on a fresh page, from the click on
 * "Fetch schema" to the schema's summary. Median of ROUNDS fresh pages:
 * - ui.graphql_schema_5000_longest_task_ms: the longest task of the page's main thread while it loads, from the
 *   Long Tasks API (wall time; 0 when no task reached the API's 50 ms). The schema is parsed and built in a
 *   worker, so this stays short; a crowded machine lengthens it (wall time includes waiting for a core).
 * - ui.graphql_schema_5000_longest_task_cpu_ms: the same task by its CPU time (Chromium's trace; 0 when none
 *   used 20 ms), which crowding does not inflate.
 * - ui.graphql_schema_5000_load_ms: click to summary (a figure that grows with the machine's load).
 * Then, on the same page, the docs' Query type (5,001 fields) opened and its last field brought into sight (its
 * Show all button clicked where a build has one, the docs column scrolled to its end until the last field is
 * on screen):
 * - ui.graphql_docs_5001_longest_task_cpu_ms: the longest main-thread task by CPU time meanwhile (0 when none
 *   used 20 ms).
 * - ui.graphql_docs_5001_reachable_ms: from the click on Query to the last field on screen.
 */

const TYPES = 5000
const ROUNDS = Number(process.env.BENCH_UI_GRAPHQL_ROUNDS ?? 3)

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? 0
}

interface Round {
  longestMs: number
  longestCpuMs: number
  loadMs: number
  docsLongestCpuMs: number
  docsReachableMs: number
}

const LAST_FIELD = `type${TYPES - 1}(id: ID!): Type${TYPES - 1}`

/** Opens Query in the docs and scrolls its column until the last field is on screen: the time and longest task. */
async function showAllOnce(page: Page): Promise<{ longestCpuMs: number; reachableMs: number }> {
  const docs = page.getByRole('complementary', { name: 'Schema docs' })
  const watch = await watchMainThread(page)
  const started = Date.now()
  await docs.getByRole('button', { name: 'Query', exact: true }).click()
  await docs.getByRole('list', { name: 'Fields of Query' }).waitFor({ timeout: 60_000 })
  const showAll = docs.getByRole('button', { name: /^Show all/ })
  if (await showAll.count()) await showAll.click()
  await page.evaluate(
    (last) =>
      new Promise<void>((resolve, reject) => {
        const until = performance.now() + 120_000
        // One check a 16 ms tick (an inline callback: tsx names declared functions with a helper the page lacks).
        const timer = setInterval(() => {
          const column = document.querySelector('.graphql-schema')
          const rows = document.querySelectorAll('[aria-label="Fields of Query"] > li')
          const end = rows[rows.length - 1]
          if (column && end?.textContent?.includes(last)) {
            const box = end.getBoundingClientRect()
            const view = column.getBoundingClientRect()
            if (box.bottom <= view.bottom + 1 && box.top >= view.top - 1) {
              clearInterval(timer)
              resolve()
              return
            }
          }
          if (column) column.scrollTop = column.scrollHeight
          if (performance.now() > until) {
            clearInterval(timer)
            reject(new Error(`${last} not on screen in 120 s`))
          }
        }, 16)
      }),
    LAST_FIELD,
  )
  const reachableMs = Date.now() - started
  const { cpuTasksMs } = await watch.stop()
  return { longestCpuMs: Math.max(0, ...cpuTasksMs), reachableMs }
}

async function loadOnce(browser: Browser, hostUrl: string, big: BigSchemaFixture): Promise<Round> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  try {
    await page.goto(hostUrl)
    await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
    await page.getByRole('textbox', { name: 'URL' }).fill(big.url)
    const state = page.getByTestId('graphql-schema-state')
    const watch = await watchMainThread(page)
    const started = Date.now()
    await page.getByRole('button', { name: 'Fetch schema' }).click()
    await state
      .filter({ hasText: `Schema: ${big.namedTypes.toLocaleString('en-US')} types` })
      .waitFor({ timeout: 60_000 })
    const loadMs = Date.now() - started
    const { longTasksMs, cpuTasksMs } = await watch.stop()
    const docs = await showAllOnce(page)
    return {
      longestMs: Math.max(0, ...longTasksMs),
      longestCpuMs: Math.max(0, ...cpuTasksMs),
      loadMs,
      docsLongestCpuMs: docs.longestCpuMs,
      docsReachableMs: docs.reachableMs,
    }
  } finally {
    await page.close()
  }
}

export async function benchUiGraphql(): Promise<Record<string, number>> {
  const entry = process.env.BENCH_UI_WEB_ENTRY
  const built = entry ?? fileURLToPath(new URL('../out/web/index.js', import.meta.url))
  if (!existsSync(built))
    throw new Error(`ui-graphql measures the built app: ${built} is missing (npm run build)`)
  const big = await startBigSchemaServer(TYPES)
  const host = await startBuiltWebHost(15_000, {
    env: { FLIGHTDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'fd-bench-ui-graphql-')) },
    ...(entry === undefined ? {} : { entry }),
  })
  const browser = await chromium.launch(chromiumLaunchOptions)
  try {
    const rounds: Round[] = []
    for (let r = 0; r < ROUNDS; r++) rounds.push(await loadOnce(browser, host.url, big))
    for (const r of rounds)
      console.log(
        `5,000-type schema: loaded in ${r.loadMs} ms; longest main-thread task ${r.longestMs} ms ` +
          `(Long Tasks API, wall), ${Math.round(r.longestCpuMs)} ms by CPU; Query's 5,001 fields: the last ` +
          `on screen in ${r.docsReachableMs} ms, longest task ${Math.round(r.docsLongestCpuMs)} ms by CPU`,
      )
    return {
      'ui.graphql_schema_5000_longest_task_ms': median(rounds.map((r) => r.longestMs)),
      'ui.graphql_schema_5000_longest_task_cpu_ms': Math.round(median(rounds.map((r) => r.longestCpuMs))),
      'ui.graphql_schema_5000_load_ms': median(rounds.map((r) => r.loadMs)),
      'ui.graphql_docs_5001_longest_task_cpu_ms': Math.round(median(rounds.map((r) => r.docsLongestCpuMs))),
      'ui.graphql_docs_5001_reachable_ms': median(rounds.map((r) => r.docsReachableMs)),
    }
  } finally {
    await browser.close()
    await host.stop()
    await big.close()
  }
}

// Run on its own: `npx tsx bench/ui-graphql.bench.ts` (BENCH_UI_WEB_ENTRY for another build).
if (process.argv[1]?.endsWith('ui-graphql.bench.ts')) {
  benchUiGraphql().then(
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
