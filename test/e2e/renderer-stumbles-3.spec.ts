import { expect, test, type Page, type WebSocketRoute } from '@playwright/test'
import { openShop, startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * What a person still stumbled on: a saved workspace that arrived late (a slow start) took back the composer
 * part they had clicked. Pictures go to each test's output folder, light and dark.
 */

let shop: UsersEyeShop

test.beforeAll(async () => {
  shop = await startShop(
    'renderer-stumbles-3',
    (req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    },
    (write) => write('bare.yaml', 'name: Bare\nmethod: GET\nurl: "{{base}}/bare"\n'),
  )
})

test.afterAll(async () => {
  await shop?.stop()
})

/** `<name>-<width>-light.png` and `-dark.png` in the test's output folder, the pointer out of the way. */
async function pictures(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`${name}-${width}-${scheme}.png`) })
  }
  await page.emulateMedia({ colorScheme: 'light' })
}

/**
 * The page's API socket, passed through to the host, except that the answer to `workspace.get` is held back
 * until `release()`: the saved workspace arrives as late as the test wants. Saves are counted as answered.
 */
async function lateWorkspace(page: Page): Promise<{ release(): void; saves(): number }> {
  let saved = 0
  let held: (() => void)[] = []
  let holding = true
  await page.routeWebSocket(/./, (ws: WebSocketRoute) => {
    const host = ws.connectToServer()
    const gets = new Set<number>()
    const saveIds = new Set<number>()
    ws.onMessage((m) => {
      if (typeof m === 'string') {
        const frame = JSON.parse(m) as { id?: number; name?: string }
        if (frame.name === 'workspace.get' && frame.id !== undefined) gets.add(frame.id)
        if (frame.name === 'workspace.save' && frame.id !== undefined) saveIds.add(frame.id)
      }
      host.send(m)
    })
    host.onMessage((m) => {
      const frame = typeof m === 'string' ? (JSON.parse(m) as { kind?: string; id?: number }) : {}
      if (frame.kind === 'reply' && frame.id !== undefined && saveIds.delete(frame.id)) saved++
      if (holding && frame.kind === 'reply' && frame.id !== undefined && gets.has(frame.id)) {
        held.push(() => ws.send(m))
        return
      }
      ws.send(m)
    })
  })
  return {
    release: () => {
      holding = false
      for (const send of held) send()
      held = []
    },
    saves: () => saved,
  }
}

test('a composer part clicked before a late restore stays chosen; the saved tabs join beside it', async ({
  page,
}) => {
  const late = await lateWorkspace(page)
  late.release()
  // A first visit leaves a workspace with Bare open.
  await openShop(page, shop.host, 1280, 800)
  const sidebar = page.getByRole('complementary', { name: 'Collections' })
  await sidebar.getByRole('treeitem', { name: 'Bare', exact: true }).click()
  const strip = page.getByRole('tablist', { name: 'Open requests' })
  await expect(strip.getByRole('tab', { name: 'Bare', exact: true })).toHaveAttribute('aria-selected', 'true')
  await expect.poll(() => late.saves()).toBeGreaterThan(0)

  // The page comes back; its saved workspace does not, yet.
  await page.unrouteAll()
  const slow = await lateWorkspace(page)
  await page.reload()
  await expect(sidebar.getByText('Shop', { exact: true })).toBeVisible()
  const parts = page.getByRole('tablist', { name: 'Request parts' })
  await parts.getByRole('tab', { name: 'Auth' }).click()
  await expect(parts.getByRole('tab', { name: 'Auth' })).toHaveAttribute('aria-selected', 'true')
  const mine = strip.getByRole('tab', { selected: true })
  const mineName = await mine.textContent()
  slow.release()

  // The saved tab came back beside the person's; theirs is still in front, on Auth.
  await expect(strip.getByRole('tab', { name: 'Bare', exact: true })).toBeVisible()
  await expect(strip.getByRole('tab', { selected: true })).toHaveText(mineName ?? '')
  await expect(parts.getByRole('tab', { name: 'Auth' })).toHaveAttribute('aria-selected', 'true')
  await pictures(page, 'late-restore-auth-kept')
})
