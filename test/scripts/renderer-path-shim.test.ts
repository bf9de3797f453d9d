import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { build, createLogger, type Plugin, type Rollup } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PATH_SHIM_SOURCE, rendererPathShimPlugin } from '../../scripts/renderer-path-shim-plugin'

/**
 * The renderer reads mime-types' table; the package's `require('path')` must neither warn in the build nor bring
 * Node code into the browser bundle. Built here for real with Vite, as the renderer is, from a one-line entry.
 */

const ROOT = join(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'fd-path-shim-'))
// Vite warns, and externalizes to its empty module, only in a production build (as `npm run build` is).
const nodeEnv = process.env.NODE_ENV
beforeAll(() => void (process.env.NODE_ENV = 'production'))
afterAll(() => {
  process.env.NODE_ENV = nodeEnv
  rmSync(dir, { recursive: true, force: true })
})

async function buildEntry(plugins: Plugin[]): Promise<{ warnings: string[]; code: string }> {
  const entry = join(dir, 'entry.js')
  // The renderer's own way in: the shared guess that the composer shows.
  const shared = JSON.stringify(join(ROOT, 'src', 'shared', 'file-type.ts'))
  writeFileSync(entry, `import { guessFileType } from ${shared}\nwindow.guess = guessFileType\n`)
  const warnings: string[] = []
  const logger = createLogger('warn', { allowClearScreen: false })
  logger.warn = (msg) => void warnings.push(msg)
  logger.warnOnce = (msg) => void warnings.push(msg)
  const out = (await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    customLogger: logger,
    plugins,
    build: { write: false, minify: false, rollupOptions: { input: entry } },
  })) as Rollup.RollupOutput
  const code = out.output.map((chunk) => (chunk.type === 'chunk' ? chunk.code : '')).join('\n')
  return { warnings, code }
}

describe('renderer path shim', () => {
  it('builds mime-types for the browser without the externalized-path warning and with its table', async () => {
    const { warnings, code } = await buildEntry([rendererPathShimPlugin()])
    expect(warnings.filter((w) => /externalized/i.test(w))).toEqual([])
    expect(code).toContain('"application/json"')
    expect(code).toContain('function extname')
    // And the bundle runs: the guess reads the table (a broken stand-in for path throws on loading).
    const page = globalThis as { window?: { guess?: (p: string) => string | null } }
    page.window = {}
    await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)
    expect(page.window.guess?.('/tmp/report.pdf')).toBe('application/pdf')
    delete page.window
  }, 60_000)

  it('is what takes the warning away (without it, Vite warns)', async () => {
    const { warnings, code } = await buildEntry([])
    expect(warnings.join('\n')).toMatch(/"path" has been externalized/)
    expect(code).not.toContain('function extname')
  }, 60_000)

  it("the module's extname, run as the bundle runs it, agrees with Node's POSIX extname", async () => {
    const url = `data:text/javascript;base64,${Buffer.from(PATH_SHIM_SOURCE).toString('base64')}`
    const shim = (await import(url)) as { extname: (p: string) => string; default: { extname: unknown } }
    expect(shim.default.extname).toBe(shim.extname)
    const { extname } = shim
    const names = [
      'a.txt',
      '/x/a.tar.gz',
      '.bashrc',
      '..',
      '.',
      '',
      '/',
      'a.',
      'a/',
      'a.b/',
      '...',
      '..a',
      'a..b',
    ]
    for (const name of [...names, '/a.d/file', 'x/.y.z', 'a.txt//', 'x.json', 'x.', 'dir/x.PNG'])
      expect(extname(name), name).toBe(posix.extname(name))
  })

  it("answers only mime-types' import of path", () => {
    const plugin = rendererPathShimPlugin()
    const resolve = plugin.resolveId as (source: string, importer?: string) => string | null
    expect(resolve('path', '/w/node_modules/mime-types/index.js')).toBeTruthy()
    expect(resolve('path', '/w/src/renderer/App.tsx')).toBeNull()
    expect(resolve('fs', '/w/node_modules/mime-types/index.js')).toBeNull()
  })
})
