import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type RequestListener, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'

/**
 * The steps the users-eye specs (a new user's passes, at 1024×700 first) share: a "Shop" collection on the
 * browser host whose requests go to the spec's own loopback server, a fresh request tab to type into, a folder
 * run from the sidebar, and screenshots of what is on screen for a person to look at.
 */

export interface UsersEyeShop {
  /** The spec's server, `{{base}}` in the collection. */
  base: string
  host: RunningWebHost
  /** A temp folder the spec may write into; the collection is its `shop` folder. */
  root: string
  stop(): Promise<void>
}

/** Writes a file of the collection, at a path relative to it. */
export type ShopWriter = (rel: string, text: string) => void

/**
 * Starts `answer` on 127.0.0.1 and the built host on a Shop collection: collection.yaml (`base` its URL), a
 * `checks` folder of three requests asserting status 200 (checkAnswer answers them: check 2 gets a 500), and
 * what `more` writes.
 */
export async function startShop(
  name: string,
  answer: RequestListener,
  more: (write: ShopWriter, base: string) => void = () => undefined,
): Promise<UsersEyeShop> {
  const api = createServer(answer)
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`
  const root = mkdtempSync(join(tmpdir(), `fd-e2e-${name}-`))
  const shop = join(root, 'shop')
  const write: ShopWriter = (rel, text) => {
    mkdirSync(join(shop, rel, '..'), { recursive: true })
    writeFileSync(join(shop, rel), text)
  }
  write('collection.yaml', `flightdeck: 1\nname: Shop\nvariables:\n  base: ${base}\n`)
  const status200 = 'assertions:\n  - kind: status\n    equals: 200\n'
  for (const n of [1, 2, 3])
    write(
      `checks/check-${n}.yaml`,
      `name: Check ${n}\nmethod: GET\nurl: "{{base}}/check?n=${n}"\n${status200}`,
    )
  more(write, base)
  const host = await startBuiltWebHost(15_000, { args: ['--collections', shop] })
  return {
    base,
    host,
    root,
    stop: async () => {
      await host.stop()
      api.closeAllConnections()
      await new Promise<void>((resolve) => api.close(() => resolve()))
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/** Answers the checks folder's requests (`/check?n=N`: JSON naming N; 500 for check 2); false for other paths. */
export function checkAnswer(url: URL, res: ServerResponse): boolean {
  if (url.pathname !== '/check') return false
  const n = url.searchParams.get('n')
  res.writeHead(n === '2' ? 500 : 200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ check: n }))
  return true
}

/**
 * Opens the host at this size once the Shop collection is listed, in a new request tab: the host keeps the last
 * test's tabs, so each test types into a tab of its own, never into a saved request's.
 */
export async function openShop(page: Page, host: RunningWebHost, width = 1024, height = 700): Promise<void> {
  await page.setViewportSize({ width, height })
  await page.goto(host.url)
  await expect(page.getByRole('complementary', { name: 'Collections' }).getByText('Shop')).toBeVisible()
  await page.getByRole('button', { name: 'New request tab' }).click()
}

/** The window sizes the users-eye pictures are taken at. */
export type ShotSize = { width: number; height: number }
const SHOT_SIZES: readonly ShotSize[] = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
]

/**
 * Light and dark pictures of what is on screen now, at 1024×700 and 1440×900 (the test's own size last, so it
 * goes on as it was), into the test's output folder, for a person to look at. A test that runs once at each
 * size passes `only` (its own size): the other run takes the other size's pictures.
 */
export async function shoot(page: Page, name: string, only?: ShotSize): Promise<void> {
  const own = page.viewportSize() ?? { width: 1024, height: 700 }
  const sizes = (only ? [only] : [...SHOT_SIZES]).sort((a) => (a.width === own.width ? 1 : -1))
  for (const size of sizes) {
    await page.setViewportSize(size)
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await page.screenshot({ path: test.info().outputPath(`${name}-${size.width}-${scheme}.png`) })
    }
  }
  await page.setViewportSize(own)
  await page.emulateMedia({ colorScheme: 'light' })
}

/** Opens the runner on a folder from the sidebar's Run button and starts the run. */
export async function runFolder(page: Page, folder: string): Promise<void> {
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: folder, exact: true }).hover()
  await sidebar.getByRole('button', { name: `Run ${folder}`, exact: true }).click()
  await page.getByRole('region', { name: 'Runner' }).getByRole('button', { name: 'Start run' }).click()
}

/** Presses Send on the open tab; answers the composer's "Not sent" alert (there when the send was refused). */
export async function sendForNotSent(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  return page.getByRole('region', { name: 'Request' }).getByRole('alert').filter({ hasText: 'Not sent' })
}
