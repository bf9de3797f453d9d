import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Page, type WebSocketRoute } from '@playwright/test'
import { Server } from 'socket.io'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { expect, test } from './file-page'
import { openShop, startShop, type UsersEyeShop } from './users-eye-steps'

/**
 * What a person still stumbled on: a saved workspace that arrived late (a slow start) took back the composer
 * part they had clicked; the sidebar's head wrapped Import… and Open… to a second line at 200 px; a gRPC
 * composer left the timeline three rows at 1024x768; Socket.IO's "leave out User-Agent" had no test through the
 * page. Pictures go to each test's output folder, light and dark.
 */

let shop: UsersEyeShop
let grpc: GrpcTestServer
/** A Socket.IO server of this spec's own: what each connection's handshake carried. */
let io: { url: string; handshakes: IncomingHttpHeaders[]; close(): Promise<void> }

async function startSocketIo(): Promise<typeof io> {
  const http = createServer()
  const server = new Server(http)
  const handshakes: IncomingHttpHeaders[] = []
  server.on('connection', (socket) => {
    handshakes.push(socket.handshake.headers)
    socket.emit('welcome', 'hi')
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    handshakes,
    close: () => new Promise<void>((resolve) => void server.close(() => resolve())),
  }
}

test.beforeAll(async () => {
  shop = await startShop(
    'renderer-stumbles-3',
    (req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    },
    (write) => write('bare.yaml', 'name: Bare\nmethod: GET\nurl: "{{base}}/bare"\n'),
  )
  grpc = await startGrpcServer()
  io = await startSocketIo()
})

test.afterAll(async () => {
  await shop?.stop()
  await grpc?.close()
  await io?.close()
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

test("the sidebar's head keeps Files…, Import… and Open… on one line in a 200 px sidebar", async ({
  page,
}) => {
  for (const [width, height] of [
    [1024, 768],
    [1280, 800],
  ] as const) {
    await openShop(page, shop.host, width, height)
    const splitter = page.getByRole('separator', { name: 'Resize collections' })
    await splitter.focus()
    while (Number(await splitter.getAttribute('aria-valuenow')) > 200) await page.keyboard.press('ArrowLeft')
    await expect(splitter).toHaveAttribute('aria-valuenow', '200')
    const sidebar = page.getByRole('complementary', { name: 'Collections' })
    const box = (await sidebar.boundingBox())!
    const tops: number[] = []
    for (const name of ['Files…', 'Import…', 'Open…']) {
      const link = (await sidebar.getByRole('button', { name, exact: true }).boundingBox())!
      tops.push(Math.round(link.y))
      expect(link.x + link.width, `${width}: ${name} inside the sidebar`).toBeLessThanOrEqual(
        box.x + box.width,
      )
    }
    // Import… and Open… went to a second line, 19 px lower.
    expect(new Set(tops).size, `${width}: the links' tops ${tops.join(', ')}`).toBe(1)
    await pictures(page, 'sidebar-head-200')
    while (Number(await splitter.getAttribute('aria-valuenow')) < 260) await page.keyboard.press('ArrowRight')
    // At its default width the title is there as well.
    await expect(sidebar.getByText('Collections', { exact: true })).toBeInViewport()
  }
})

test('a gRPC composer with a method picked leaves the timeline six whole rows at 1024x768', async ({
  page,
}) => {
  await openShop(page, shop.host, 1024, 768)
  await page.getByRole('textbox', { name: 'URL' }).fill(`${shop.base}/orders`)
  const done = page.getByRole('grid', { name: 'Timeline' }).locator('[data-state="done"]')
  const before = await done.count()
  await page.getByRole('button', { name: /^Send ×/ }).click()
  await expect(done).toHaveCount(before + 10)
  await page.getByRole('button', { name: 'New request tab' }).click()
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'gRPC' })
  await page.getByRole('textbox', { name: 'URL' }).fill(`grpc://${grpc.target}`)
  await page.getByRole('button', { name: 'Load methods' }).click()
  const bar = page.getByRole('group', { name: 'gRPC method' })
  await bar.getByRole('combobox', { name: 'Method' }).selectOption({ label: 'Say — unary' })
  // The types by their short names, whole at 1024 (the full names were cut to "flightdeck…"), the full in the tooltip.
  const types = bar.getByText('SayRequest → SayReply', { exact: true })
  await expect(types).toBeVisible()
  await expect(types).toHaveAttribute('title', 'flightdeck.test.SayRequest → flightdeck.test.SayReply')
  expect(await types.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true)
  // Deadline and Fill with defaults stay on the method's line.
  const method = (await bar.getByRole('combobox', { name: 'Method' }).boundingBox())!
  const fill = (await bar.getByRole('button', { name: 'Fill with defaults' }).boundingBox())!
  expect(Math.abs(fill.y + fill.height / 2 - (method.y + method.height / 2))).toBeLessThan(4)
  const whole = await page.locator('.tl-scroll').evaluate((el) => {
    const box = el.getBoundingClientRect()
    return [...el.querySelectorAll('[role="row"]')]
      .map((r) => r.getBoundingClientRect())
      .filter((r) => r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5).length
  })
  // Three, under a composer of 45% of the window.
  expect(whole).toBeGreaterThanOrEqual(6)
  await pictures(page, 'grpc-timeline-rows')
})

test("Socket.IO's Headers leave out its User-Agent, and the handshake goes without", async ({ page }) => {
  await openShop(page, shop.host, 1280, 800)
  await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'Socket.IO' })
  const url = page.getByRole('textbox', { name: 'URL' })
  await url.fill(io.url)
  await url.press('Enter')
  await expect.poll(() => io.handshakes.length).toBe(1)
  expect(io.handshakes[0]?.['user-agent']).toMatch(/Flightdeck/)
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click()

  await page
    .getByRole('tablist', { name: 'Request parts' })
    .getByRole('tab', { name: /^Headers/ })
    .click()
  const note = page.getByRole('group', { name: 'Default headers left out' })
  await note.getByRole('combobox', { name: 'Leave out a default header' }).selectOption('user-agent')
  await expect(note.getByRole('note')).toHaveText('Left out: User-Agent')
  await pictures(page, 'socketio-headers-left-out')
  await url.press('Enter')
  await expect.poll(() => io.handshakes.length).toBe(2)
  expect(io.handshakes[1]?.['user-agent']).toBeUndefined()
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click()
})

/**
 * How far (px) the first and the last tab in sight pass the strip's left and right edges: 0 when whole, or cut
 * by at most a pixel and a half of a tab's padding (10 px; scroll offsets are whole pixels, labels' widths are
 * not). The label was cut by tens ("…titled 12").
 */
function cutTabs(page: Page): Promise<{ overflows: boolean; left: number; right: number; active: boolean }> {
  return page.getByRole('tablist', { name: 'Open requests' }).evaluate((el) => {
    const box = el.getBoundingClientRect()
    const cut = (px: number): number => (px > 1.5 ? Math.round(px) : 0)
    const tabs = [...el.querySelectorAll('[role="tab"]')]
    const seen = tabs
      .map((t) => t.getBoundingClientRect())
      .filter((r) => r.right > box.left + 1.5 && r.left < box.right - 1.5)
    const active = tabs.find((t) => t.getAttribute('aria-selected') === 'true')?.getBoundingClientRect()
    return {
      overflows: el.scrollWidth > el.clientWidth,
      left: cut(box.left - Math.min(...seen.map((r) => r.left))),
      right: cut(Math.max(...seen.map((r) => r.right)) - box.right),
      active:
        active !== undefined && cut(box.left - active.left) === 0 && cut(active.right - box.right) === 0,
    }
  })
}

test('many tabs: the tab strip shows whole tabs at both edges, the active one among them', async ({
  page,
}) => {
  for (const [width, height] of [
    [1024, 768],
    [1280, 800],
  ] as const) {
    await openShop(page, shop.host, width, height)
    const strip = page.getByRole('tablist', { name: 'Open requests' })
    for (let i = 0; i < 40 && !(await cutTabs(page)).overflows; i++)
      await page.getByRole('button', { name: 'New request tab' }).click()
    for (let more = 0; more < 3; more++) {
      await page.getByRole('button', { name: 'New request tab' }).click()
      // "…titled 12": the first label in sight was cut at the strip's left edge.
      await expect
        .poll(() => cutTabs(page), `${width}: tab ${more}`)
        .toEqual({
          overflows: true,
          left: 0,
          right: 0,
          active: true,
        })
    }
    await pictures(page, 'many-tabs')
    await hiddenTabCues(page)
    // The first tab, chosen: the strip goes back to it, with whole tabs at both edges.
    await strip.getByRole('tab').first().click()
    await expect.poll(() => cutTabs(page)).toMatchObject({ left: 0, right: 0, active: true })
    await expect(page.locator('[data-tab-cue="left"]')).toBeDisabled()
  }
  // The next test starts with few tabs.
  const strip = page.getByRole('tablist', { name: 'Open requests' })
  for (let i = 0; i < 80 && (await strip.getByRole('tab').count()) > 3; i++)
    await strip
      .getByRole('tab')
      .last()
      .getByRole('button', { name: /^Close/ })
      .click()
})

/** Which tabs the strip shows (indexes of the first and the last wholly in sight) and its cues' words. */
function inSight(
  page: Page,
): Promise<{ first: number; last: number; tabs: number; left: string; right: string }> {
  return page.getByRole('tablist', { name: 'Open requests' }).evaluate((el) => {
    const box = el.getBoundingClientRect()
    const tabs = [...el.querySelectorAll('[role="tab"]')].map((t) => t.getBoundingClientRect())
    const whole = tabs.flatMap((r, i) => (r.left >= box.left - 1.5 && r.right <= box.right + 1.5 ? [i] : []))
    const cue = (side: string): string =>
      el.parentElement?.querySelector(`[data-tab-cue="${side}"]`)?.getAttribute('aria-label') ?? ''
    return {
      first: whole[0] ?? -1,
      last: whole.at(-1) ?? -1,
      tabs: tabs.length,
      left: cue('left'),
      right: cue('right'),
    }
  })
}

/**
 * With the last tab active in an overflowing strip: the cue at the left edge counts the tabs out of sight there
 * (before, nothing said Untitled 1-6 were hidden), its click shows the tabs just before, and a wheel's notch moves
 * the strip one whole tab (it could stop mid-tab).
 */
async function hiddenTabCues(page: Page): Promise<void> {
  const width = page.viewportSize()?.width ?? 0
  // The cues hear of a scroll a frame after it: read once the strip and its cues agree.
  const agreed = async () => {
    const now = await inSight(page)
    return { ...now, agrees: now.left === `${now.first} tabs hidden to the left: show them` }
  }
  await expect
    .poll(agreed, `${width}: the cues and the strip`)
    .toMatchObject({ agrees: true, right: 'No tabs hidden to the right' })
  const at = await inSight(page)
  expect(at.last, `${width}: the last tab in sight`).toBe(at.tabs - 1)
  await expect(page.locator('[data-tab-cue="left"]')).toHaveText(`‹ ${at.first}`)

  // The tabs just before the first in sight, up to it.
  await page.locator('[data-tab-cue="left"]').click()
  const paged = await inSight(page)
  expect(paged.last, `${width}: the tab before the first in sight ends the view`).toBe(at.first - 1)
  await expect(page.locator('[data-tab-cue="right"]')).toHaveAttribute(
    'aria-label',
    `${at.tabs - at.first} tabs hidden to the right: show them`,
  )
  expect(await cutTabs(page)).toMatchObject({ left: 0, right: 0 })
  await pictures(page, 'many-tabs-paged')

  // A wheel's notch down: one whole tab on; up: back. A touchpad's small deltas add up to one.
  const strip = page.getByRole('tablist', { name: 'Open requests' })
  await strip.hover()
  await page.mouse.wheel(0, 100)
  await expect.poll(() => inSight(page).then((s) => s.first)).toBe(paged.first + 1)
  expect(await cutTabs(page)).toMatchObject({ left: 0, right: 0 })
  await page.mouse.wheel(0, -100)
  await expect.poll(() => inSight(page).then((s) => s.first)).toBe(paged.first)
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, 20)
  await expect.poll(() => inSight(page).then((s) => s.first)).toBe(paged.first + 1)
  expect(await cutTabs(page)).toMatchObject({ left: 0, right: 0 })

  // The right cue goes back to the end.
  for (let i = 0; i < 10 && !(await inSight(page)).right.startsWith('No'); i++)
    await page.locator('[data-tab-cue="right"]').click()
  expect((await inSight(page)).last).toBe(at.tabs - 1)
}
