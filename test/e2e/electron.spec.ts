import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { _electron as electron, expect, test } from '@playwright/test'

/**
 * The desktop app itself, where the Electron binary exists. Not `require('electron')` to find it: that
 * module downloads the binary when it is missing, which is exactly what must not happen here.
 */

const root = fileURLToPath(new URL('../../', import.meta.url))
const electronPkg = join(root, 'node_modules', 'electron')
const mainEntry = join(root, 'out', 'main', 'index.js')

function electronBinary(): { path: string } | { missing: string } {
  const pathFile = join(electronPkg, 'path.txt')
  if (!existsSync(pathFile))
    return { missing: `${pathFile} does not exist (the binary was never downloaded)` }
  const binary = join(electronPkg, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? { path: binary } : { missing: `${binary} does not exist` }
}

test.describe('Electron app', () => {
  const binary = electronBinary()
  test.skip(
    'missing' in binary,
    `Electron binary not installed: ${'missing' in binary ? binary.missing : ''}`,
  )

  test('opens one secure window showing the renderer', async () => {
    if (!('path' in binary)) return
    expect(existsSync(mainEntry), 'run npm run build first').toBe(true)
    const app = await electron.launch({
      executablePath: binary.path,
      args: [mainEntry, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
      cwd: root,
      env: { ...process.env, ELECTRON_RENDERER_URL: '' },
    })
    try {
      const page = await app.firstWindow()
      await expect(page.getByRole('textbox', { name: 'URL' })).toBeVisible()

      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const [win] = BrowserWindow.getAllWindows()
        // Undocumented but long-standing: the preferences the renderer was actually created with.
        const wc = win?.webContents as unknown as
          { getLastWebPreferences?: () => Record<string, unknown> } | undefined
        const p = wc?.getLastWebPreferences?.()
        return {
          windows: BrowserWindow.getAllWindows().length,
          contextIsolation: p?.contextIsolation,
          sandbox: p?.sandbox,
          nodeIntegration: p?.nodeIntegration,
          webSecurity: p?.webSecurity,
          webviewTag: p?.webviewTag,
          url: win?.webContents.getURL(),
        }
      })
      expect(prefs).toMatchObject({
        windows: 1,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false,
      })
      expect(prefs.url).toMatch(/^file:.*\/out\/renderer\/index\.html/)

      // The bridge is the preload of the window's own session only, never of the default session.
      const preloads = await app.evaluate(({ session }) => ({
        app: session
          .fromPartition('persist:flightdeck')
          .getPreloadScripts()
          .map((p) => `${p.type} ${p.id}`),
        default: session.defaultSession.getPreloadScripts().length,
      }))
      expect(preloads).toEqual({ app: ['frame flightdeck-bridge'], default: 0 })

      // The page sees the contract's api and nothing of Node or Electron.
      const globals = await page.evaluate(() => {
        const g = globalThis as unknown as {
          api?: { invoke?: unknown }
          require?: unknown
          process?: unknown
        }
        return { api: typeof g.api?.invoke, require: typeof g.require, process: typeof g.process }
      })
      expect(globals).toEqual({ api: 'function', require: 'undefined', process: 'undefined' })
      const info = await page.evaluate(() =>
        (globalThis as unknown as { api: { invoke(n: string, p: object): Promise<unknown> } }).api.invoke(
          'app.info',
          {},
        ),
      )
      expect(info).toMatchObject({ ok: true, value: { host: 'electron' } })

      // The lazy chunks load from file:// under the hash-pinned CSP: the body editor and GraphQL appear.
      const violations: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|integrity/i.test(m.text()))
          violations.push(m.text())
      })
      await page.getByRole('combobox', { name: 'Method', exact: true }).selectOption('POST')
      await page.getByRole('tab', { name: /^Body/ }).click()
      await page.getByRole('radiogroup', { name: 'Body kind' }).getByText('JSON', { exact: true }).click()
      await expect(page.getByRole('textbox', { name: 'Body JSON' })).toBeVisible()
      await page.getByRole('combobox', { name: 'Session type' }).selectOption({ label: 'GraphQL' })
      await expect(page.getByRole('textbox', { name: 'GraphQL query' })).toBeVisible()
      await expect(page.getByRole('alert').filter({ hasText: 'could not be loaded' })).toHaveCount(0)
      expect(violations).toEqual([])

      // New windows and navigation away are refused.
      await page.evaluate(() => {
        const g = globalThis as unknown as { open(url: string): unknown; location: { href: string } }
        g.open('https://example.com/')
        g.location.href = 'https://example.com/'
      })
      await page.waitForTimeout(500)
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1)
      expect(page.url()).toMatch(/^file:/)
    } finally {
      await app.close()
    }
  })
})
