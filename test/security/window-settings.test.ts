import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { secureWebPreferences } from '../hosts/window-recorder'

/**
 * Our own check beside Electronegativity: no source file creates a window or web view anywhere but the one
 * factory, and no file anywhere sets an option or switch that weakens Electron's isolation.
 */

const ROOT = join(__dirname, '..', '..')
const FACTORY = 'src/main/window-options.ts'
/** The one file that may hand a link to the OS, and only after checking it is an http(s) link. */
const SYSTEM_BROWSER = 'src/main/dialogs.ts'

function sources(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...sources(p))
    else if (/\.(ts|tsx|js|mjs|cjs|html)$/.test(name)) out.push(p)
  }
  return out
}

const DANGEROUS: [RegExp, string][] = [
  [/nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/, 'turns Node on in a renderer'],
  [/contextIsolation\s*:\s*false/, 'turns context isolation off'],
  [/sandbox\s*:\s*false/, 'turns the sandbox off'],
  [/webSecurity\s*:\s*false/, 'turns web security off'],
  [/allowRunningInsecureContent\s*:\s*true/, 'allows mixed content'],
  [/webviewTag\s*:\s*true/, 'enables <webview>'],
  [/experimentalFeatures\s*:\s*true/, 'enables experimental features'],
  [/enableBlinkFeatures/, 'enables Blink features'],
  [/enableRemoteModule/, 'enables the remote module'],
  [
    /appendSwitch\(\s*['"](no-sandbox|disable-web-security|ignore-certificate-errors|disable-site-isolation-trials)/,
    'weakens Chromium by switch',
  ],
  [/setCertificateVerifyProc/, 'overrides certificate verification'],
  [/['"]certificate-error['"]/, 'handles certificate errors in the app'],
  [/allowpopups/i, 'allows pop-ups'],
  [/shell\.openExternal|shell\.openPath/, 'hands a URL or path to the OS'],
]

/** Findings for one file's text: dangerous settings anywhere, windows built outside the factory. */
export function scanSource(path: string, text: string): string[] {
  const found: string[] = []
  for (const [re, why] of DANGEROUS) {
    if (!re.test(text)) continue
    const checkedLink =
      path === SYSTEM_BROWSER &&
      why === 'hands a URL or path to the OS' &&
      !/shell\.openPath/.test(text) &&
      /externalUrlProblem\(/.test(text)
    if (!checkedLink) found.push(`${path}: ${why} (${re.source})`)
  }
  if (path !== FACTORY && /new\s+(BrowserWindow|BrowserView|WebContentsView)\b|webPreferences\s*:/.test(text))
    found.push(`${path}: creates a window or sets webPreferences outside ${FACTORY}`)
  return found
}

describe('no window weakens Electron', () => {
  it('the scanner catches a dangerous window', () => {
    expect(
      scanSource('src/main/other.ts', 'new BrowserWindow({ webPreferences: { nodeIntegration: true } })'),
    ).toHaveLength(2)
    expect(
      scanSource('src/main/x.ts', "app.commandLine.appendSwitch('ignore-certificate-errors')"),
    ).toHaveLength(1)
    expect(scanSource('src/main/x.ts', 'sandbox: false')).toHaveLength(1)
    expect(scanSource(FACTORY, 'new BrowserWindow({ webPreferences: { sandbox: true } })')).toEqual([])
    // Links go to the OS from one file only, and only checked.
    expect(scanSource('src/main/index.ts', 'shell.openExternal(url)')).toHaveLength(1)
    expect(scanSource(SYSTEM_BROWSER, 'shell.openExternal(url)')).toHaveLength(1)
    expect(scanSource(SYSTEM_BROWSER, 'externalUrlProblem(url); shell.openPath(p)')).toHaveLength(1)
    expect(
      scanSource(SYSTEM_BROWSER, 'if (externalUrlProblem(url)) throw e; shell.openExternal(url)'),
    ).toEqual([])
  })

  it('no source file sets a dangerous option, and only the factory builds windows', () => {
    const files = ['src'].flatMap((d) => sources(join(ROOT, d)))
    expect(files.length).toBeGreaterThan(50)
    const findings = files.flatMap((f) =>
      scanSource(relative(ROOT, f).split('\\').join('/'), readFileSync(f, 'utf8')),
    )
    expect(findings).toEqual([])
  })

  it('the factory isolates, sandboxes and disables middle-click opening', () => {
    const prefs = secureWebPreferences()
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    })
    expect(prefs.disableBlinkFeatures).toContain('Auxclick')
  })
})
