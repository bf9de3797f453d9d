import { test as base, type BrowserContext, type Page } from '@playwright/test'

export { expect } from '@playwright/test'

/**
 * `test` whose `page` is one browser tab kept from test to test of a spec file. Each test still opens the app
 * itself (`page.goto(host.url)`), but into a context that already holds the app's hashed, immutable chunks and
 * their compiled code, in a renderer process already started: the app is up in about half the time of a new
 * incognito context's first load.
 *
 * What a test leaves behind is put back before the next one starts: the app is unloaded at the test's end
 * (`about:blank`, so it flushes its workspace to the host as a closed tab does, before the spec's afterAll stops
 * the host), other tabs are closed, the local storage, IndexedDB and cookies of every origin the tab showed are
 * cleared, and the viewport, colour scheme, routes and page listeners are the configured ones again. What cannot
 * be put back (an init script, a fake clock, an exposed function, a WebSocket route, granted permissions, extra
 * headers) and a test that opened another tab (whose kept-alive connections to another server would outlast it)
 * end the context with the test: the next test starts in a new one, as with Playwright's own page.
 *
 * A test whose context options differ from the kept context's (a describe's `test.use`) gets a new context. A
 * spec whose tests must each start in a new browser context keeps `@playwright/test`'s `test`.
 */

interface KeptPage {
  file: string
  /** The context options it was made with (a describe's `test.use` may differ from the file's). */
  options: string
  context: BrowserContext
  page: Page
  /** Origins the tab has shown: their storage is cleared between tests. */
  origins: Set<string>
  /** A test did something to the page or context that cannot be put back. */
  spoilt: boolean
}

/** What cannot be undone on a page or context, so a test that calls it ends the context. */
const PAGE_SPOILERS = ['addInitScript', 'exposeBinding', 'exposeFunction', 'routeWebSocket', 'routeFromHAR']
const CONTEXT_SPOILERS = [
  ...PAGE_SPOILERS,
  'grantPermissions',
  'setExtraHTTPHeaders',
  'setGeolocation',
  'setHTTPCredentials',
  'setOffline',
]
const CLOCK_SPOILERS = ['install', 'setFixedTime', 'setSystemTime', 'pauseAt']

/** Marks `kept` spoilt when the test calls one of `names` on `target` (the call itself goes through). */
function watchSpoilers(target: object, names: string[], kept: KeptPage): void {
  const methods = target as Record<string, unknown>
  for (const name of names) {
    const original = methods[name]
    if (typeof original !== 'function') continue
    methods[name] = (...args: unknown[]): unknown => {
      kept.spoilt = true
      return (original as (...a: unknown[]) => unknown).apply(target, args)
    }
  }
}

export const test = base.extend<object, { keptPageSlot: { kept: KeptPage | null } }>({
  keptPageSlot: [
    // On `browser`, so the last context closes before the browser does.
    async ({ browser }, use) => {
      const slot: { kept: KeptPage | null } = { kept: null }
      await use(slot)
      if (browser.isConnected()) await slot.kept?.context.close()
    },
    { scope: 'worker' },
  ],
  page: async (
    {
      browser,
      keptPageSlot,
      viewport,
      colorScheme,
      permissions,
      locale,
      timezoneId,
      extraHTTPHeaders,
      httpCredentials,
      storageState,
      contextOptions,
      acceptDownloads,
      javaScriptEnabled,
      offline,
      userAgent,
    },
    use,
    testInfo,
  ) => {
    const options = JSON.stringify({
      permissions,
      locale,
      timezoneId,
      extraHTTPHeaders,
      httpCredentials,
      storageState,
      contextOptions,
      acceptDownloads,
      javaScriptEnabled,
      offline,
      userAgent,
    })
    let kept = keptPageSlot.kept
    if (kept && (kept.file !== testInfo.file || kept.options !== options || kept.page.isClosed())) {
      keptPageSlot.kept = null
      await kept.context.close()
      kept = null
    }
    if (kept) {
      await putBack(kept, viewport, colorScheme ?? 'light')
    } else {
      // Made inside the test, so Playwright gives it the test's context options (viewport, permissions, …),
      // its trace and its failure screenshot, as it does its own page.
      const context = await browser.newContext()
      const page = await context.newPage()
      kept = { file: testInfo.file, options, context, page, origins: new Set(), spoilt: false }
      watchSpoilers(page, PAGE_SPOILERS, kept)
      watchSpoilers(page.clock, CLOCK_SPOILERS, kept)
      watchSpoilers(context, CONTEXT_SPOILERS, kept)
      keptPageSlot.kept = kept
    }
    const seen = kept
    const noteOrigin = (frame: { url(): string }): void => {
      const url = frame.url()
      if (url.startsWith('http')) seen.origins.add(new URL(url).origin)
    }
    kept.page.on('framenavigated', noteOrigin)

    await use(kept.page)

    kept.page.off('framenavigated', noteOrigin)
    const passed = testInfo.status === testInfo.expectedStatus
    const unloaded =
      passed &&
      !kept.spoilt &&
      !kept.page.isClosed() &&
      kept.context.pages().length === 1 &&
      (await kept.page.goto('about:blank', { timeout: 10_000 }).then(
        () => true,
        () => false,
      ))
    if (!unloaded) {
      keptPageSlot.kept = null
      await kept.context.close()
    }
  },
})

async function putBack(
  kept: KeptPage,
  viewport: { width: number; height: number } | null,
  colorScheme: 'light' | 'dark' | 'no-preference',
): Promise<void> {
  const { context, page } = kept
  await page.removeAllListeners()
  await page.unrouteAll({ behavior: 'ignoreErrors' })
  await context.unrouteAll({ behavior: 'ignoreErrors' })
  await context.clearCookies()
  if (kept.origins.size > 0) {
    const cdp = await context.newCDPSession(page)
    for (const origin of kept.origins)
      await cdp.send('Storage.clearDataForOrigin', {
        origin,
        storageTypes: 'local_storage,indexeddb,cache_storage,service_workers,file_systems,websql',
      })
    await cdp.detach()
    kept.origins.clear()
  }
  if (viewport) await page.setViewportSize(viewport)
  await page.emulateMedia({ colorScheme, media: null, reducedMotion: null, forcedColors: null })
}
