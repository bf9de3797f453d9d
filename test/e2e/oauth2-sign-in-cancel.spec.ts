import { expect, test, type Page } from '@playwright/test'
import { startBuiltWebHost, type RunningWebHost } from './web-host'
import { portRefused } from '../fixtures/port-refused'

/**
 * Get token with the authorization code grant waits up to 300 s for the person to sign in: the browser host gives
 * the sign-in link, and the button beside it becomes Cancel sign-in. Clicked, the wait ends at once: the words say
 * the sign-in was cancelled where the link was (a status, not an alarm), the engine's loopback listener is gone
 * (its port refuses), and the button is Get token again. The button keeps its width through the three states,
 * and no "waiting" words show before the link does, even when the host's answer with the link comes late (held
 * here 1.5 s, past the desktop app's 1 s before it says it is waiting). Pictures light and dark of the three states (idle, waiting,
 * cancelled) in the test's output folder. The sign-in page is never visited: its address only has to be a URL.
 */

let host: RunningWebHost

test.beforeAll(async () => {
  host = await startBuiltWebHost()
})

test.afterAll(async () => {
  await host?.stop()
})

/** The browser host's first answer to `oauth2.token` (the sign-in link) reaches the page `ms` late. */
async function lateFirstTokenAnswer(page: Page, ms: number): Promise<void> {
  await page.routeWebSocket(/./, (ws) => {
    const host = ws.connectToServer()
    let tokenAsk: number | null = null
    ws.onMessage((m) => {
      if (typeof m === 'string' && tokenAsk === null) {
        const frame = JSON.parse(m) as { id?: number; name?: string }
        if (frame.name === 'oauth2.token' && frame.id !== undefined) tokenAsk = frame.id
      }
      host.send(m)
    })
    let held = false
    host.onMessage((m) => {
      const frame = typeof m === 'string' ? (JSON.parse(m) as { kind?: string; id?: number }) : {}
      if (!held && frame.kind === 'reply' && frame.id === tokenAsk) {
        held = true
        setTimeout(() => ws.send(m), ms)
        return
      }
      ws.send(m)
    })
  })
}

test('Cancel sign-in ends the wait for the browser, closes the listener and says so', async ({ page }) => {
  await lateFirstTokenAnswer(page, 1_500)
  await page.setViewportSize({ width: 1024, height: 700 })
  await page.goto(host.url)
  const composer = page.getByRole('region', { name: 'Request' })
  await composer.getByRole('tab', { name: 'Auth' }).click()
  await page.getByRole('combobox', { name: 'Auth type' }).selectOption('oauth2')
  await composer.getByLabel('Grant type', { exact: true }).selectOption('authorization_code')
  await composer.getByLabel('Authorization URL', { exact: true }).fill('http://127.0.0.1:9/authorize')
  await composer.getByLabel('Token URL', { exact: true }).fill('http://127.0.0.1:9/token')
  await composer.getByLabel('Client ID', { exact: true }).fill('app')
  const button = composer.locator('.oauth2-token-row button')
  await button.scrollIntoViewIfNeeded()
  const widths = [(await button.boundingBox())?.width]
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`sign-in-idle-${scheme}.png`) })
  }
  // Every text the status beside the button shows, however briefly.
  await page.evaluate(() => {
    const seen: string[] = []
    ;(window as unknown as { statusTexts: string[] }).statusTexts = seen
    const row = document.querySelector('.oauth2-token-row')
    new MutationObserver(() => {
      const text = row?.querySelector('[role="status"]')?.textContent
      if (text && seen.at(-1) !== text) seen.push(text)
    }).observe(row ?? document.body, { subtree: true, childList: true, characterData: true })
  })
  await composer.getByRole('button', { name: 'Get token' }).click()

  const words = composer.locator('.oauth2-token-row').getByRole('status')
  await expect(words).toContainText('OAuth 2.0: sign in at http://127.0.0.1:9/authorize')
  const cancel = composer.getByRole('button', { name: 'Cancel sign-in' })
  await expect(cancel).toBeEnabled()
  widths.push((await button.boundingBox())?.width)
  const href = (await words.getByRole('link').getAttribute('href')) ?? ''
  const port = Number(new URL(new URL(href).searchParams.get('redirect_uri') ?? '').port)
  expect(port).toBeGreaterThan(0)
  expect(await portRefused(port)).toBe(false)
  await words.scrollIntoViewIfNeeded()
  await page.mouse.move(1, 1)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`sign-in-waiting-${scheme}.png`) })
  }

  await cancel.click()
  await expect(words).toHaveText('Sign-in cancelled: Get token starts a new one')
  await expect(composer.getByRole('alert')).toHaveCount(0)
  await expect(composer.getByRole('button', { name: 'Get token' })).toBeEnabled()
  await expect(cancel).toHaveCount(0)
  expect(await portRefused(port)).toBe(true)
  widths.push((await button.boundingBox())?.width)
  expect(new Set(widths).size, `button widths idle, waiting, cancelled: ${widths.join(', ')}`).toBe(1)
  const texts = await page.evaluate(() => (window as unknown as { statusTexts: string[] }).statusTexts)
  expect(texts[0]).toMatch(/^OAuth 2\.0: sign in at /)
  expect(texts.filter((t) => t.startsWith('Waiting'))).toEqual([])
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`sign-in-cancelled-${scheme}.png`) })
  }
  // The cancelled wait's own answer (it ended as cancelled) does not replace the words a moment later.
  await page.waitForTimeout(300)
  await expect(words).toHaveText(/^Sign-in cancelled/)
})
