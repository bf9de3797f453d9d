import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from '@playwright/test'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { pinPageScripts } from '../../scripts/renderer-csp-plugin'
import type { WebHost } from '../../src/web/server'
import { chromiumLaunchOptions } from '../e2e/chromium'
import { startTempWebHost, type TempWebHost } from '../hosts/temp-web-host'

/**
 * The hash-pinned lazy chunks in a real Chromium (the same major version as Electron 45's, 156): a page built
 * the way the renderer is (the source index.html's own CSP, the entry pinned by `integrity`, the chunk by the
 * import map) loads its chunk, and refuses it once its bytes change, both through the browser host and from
 * file:// as the desktop window loads it.
 */

const ROOT = join(import.meta.dirname, '..', '..')
const ENTRY = `const out = document.getElementById('out')
import('./lazy.js').then(
  (m) => { out.textContent = 'loaded ' + m.value },
  (e) => { out.textContent = 'refused: ' + e.message },
)
`
const CHUNK = "export const value = 'the build'\n"

let web: TempWebHost
let dir: string
let host: WebHost
let browser: Browser
let fileBrowser: Browser

function writeBuild(): void {
  const source = readFileSync(join(ROOT, 'src', 'renderer', 'index.html'), 'utf8')
  const html = source
    .replace(/<script type="module" src="\.\/main\.tsx"><\/script>/, '')
    .replace('<div id="root"></div>', '<output id="out">waiting</output>')
    .replace(
      '</head>',
      '<script type="module" crossorigin src="./assets/entry.js"></script>' +
        '<link rel="stylesheet" crossorigin href="./assets/style.css"></head>',
    )
  const files = [
    { fileName: 'assets/entry.js', code: ENTRY },
    { fileName: 'assets/lazy.js', code: CHUNK },
  ]
  for (const f of files) writeFileSync(join(dir, 'renderer', f.fileName), f.code)
  // The one stylesheet, as the build emits it: style-src 'self' must allow it on file:// too.
  writeFileSync(join(dir, 'renderer', 'assets', 'style.css'), '#out { color: rgb(1, 2, 3) }')
  writeFileSync(join(dir, 'renderer', 'index.html'), pinPageScripts(html, files))
}

/** Opens the page, collecting CSP violations; resolves to what the entry wrote once the chunk settled. */
async function open(page: Page, url: string): Promise<{ out: string; color: string; violations: string[] }> {
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(globalThis as unknown as { __csp: string[] }).__csp = seen
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`),
    )
  })
  await page.goto(url)
  const out = page.locator('#out')
  await out.filter({ hasNotText: 'waiting' }).waitFor({ timeout: 10_000 })
  return {
    out: (await out.textContent()) ?? '',
    color: await out.evaluate((el) => getComputedStyle(el).color),
    violations: await page.evaluate(() => (globalThis as unknown as { __csp: string[] }).__csp),
  }
}

beforeAll(async () => {
  web = await startTempWebHost({ prefix: 'fd-chunks-' })
  dir = web.dir
  host = web.host
  browser = await chromium.launch(chromiumLaunchOptions)
  // What lets a file:// page load module scripts from file:// in Chromium; Electron's file:// loader does the same.
  fileBrowser = await chromium.launch({
    ...chromiumLaunchOptions,
    args: [...chromiumLaunchOptions.args, '--allow-file-access-from-files'],
  })
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await fileBrowser?.close()
  await web?.close()
})

beforeEach(() => writeBuild())

describe('lazy chunks pinned by hash, in Chromium', () => {
  for (const via of ['the browser host', 'file://'] as const) {
    const url = (): string =>
      via === 'file://' ? pathToFileURL(join(dir, 'renderer', 'index.html')).href : host.url
    const launch = (): Browser => (via === 'file://' ? fileBrowser : browser)

    it(`${via}: the built chunk loads, with no CSP violation`, async () => {
      const page = await launch().newPage()
      try {
        expect(await open(page, url())).toEqual({
          out: 'loaded the build',
          color: 'rgb(1, 2, 3)',
          violations: [],
        })
      } finally {
        await page.close()
      }
    }, 30_000)

    it(`${via}: a chunk whose bytes changed after the build is refused`, async () => {
      writeFileSync(join(dir, 'renderer', 'assets', 'lazy.js'), "export const value = 'tampered'\n")
      const page = await launch().newPage()
      try {
        const { out } = await open(page, url())
        expect(out).toMatch(/^refused: /)
        expect(out).not.toContain('tampered')
      } finally {
        await page.close()
      }
    }, 30_000)
  }
})
