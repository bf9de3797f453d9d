import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  pinPageScripts,
  rendererCspPlugin,
  sriHash,
  unpinnedScripts,
} from '../../scripts/renderer-csp-plugin'
import {
  importMapIntegrity,
  inlineScripts,
  PENDING_SCRIPT_HASH,
  pageFiles,
  pageScriptSources,
  withPageScriptSources,
} from '../../src/shared/renderer-csp'
import { cspHash } from '../../src/web/static-files'

const ROOT = join(import.meta.dirname, '..', '..')
const page = (scriptSrc: string, body: string) =>
  `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${scriptSrc}; object-src 'none'" />${body}</head></html>`

describe('the renderer page pins its script by hash', () => {
  it('the source page allows no script until the build fills in the hash', () => {
    const source = readFileSync(join(ROOT, 'src', 'renderer', 'index.html'), 'utf8')
    expect(pageScriptSources(source)).toEqual([PENDING_SCRIPT_HASH])
  })

  it('pins the entry by its integrity attribute and every chunk by the import map, and allows nothing else', () => {
    const entry = 'import("./lazy-b.js")'
    const chunk = 'export const x = 1'
    const out = pinPageScripts(
      page(PENDING_SCRIPT_HASH, '<script type="module" crossorigin src="./assets/entry-a.js"></script>'),
      [
        { fileName: 'assets/entry-a.js', code: entry },
        { fileName: 'assets/lazy-b.js', code: Buffer.from(chunk) },
      ],
    )
    expect(out).toContain(
      `<script integrity="${sriHash(entry)}" type="module" crossorigin src="./assets/entry-a.js">`,
    )
    expect(importMapIntegrity(out)).toEqual({
      './assets/entry-a.js': sriHash(entry),
      './assets/lazy-b.js': sriHash(chunk),
    })
    // The map comes before the module script, so it governs the entry's imports.
    expect(out.indexOf('type="importmap"')).toBeLessThan(out.indexOf('type="module"'))
    const [map] = inlineScripts(out)
    expect(pageScriptSources(out)).toEqual([cspHash(map ?? ''), `'${sriHash(entry)}'`, `'${sriHash(chunk)}'`])
    // The well-known digest of the empty text, so the hash is the one a browser computes.
    expect(cspHash('')).toBe("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='")
    expect(sriHash('')).toBe('sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
    expect([...pageFiles(out)].sort()).toEqual(['assets/entry-a.js', 'assets/lazy-b.js'])
  })

  it('refuses to build a page it cannot pin', () => {
    const entry = [{ fileName: 'assets/a.js', code: 'x()' }]
    const src = '<script type="module" src="./assets/a.js"></script>'
    expect(() => pinPageScripts(page("'self'", src), entry)).toThrow(/must hold/)
    expect(() =>
      pinPageScripts(page(PENDING_SCRIPT_HASH, '<script type="module" src="./chunk.js"></script>'), entry),
    ).toThrow(/did not emit/)
    expect(() =>
      pinPageScripts(
        page(PENDING_SCRIPT_HASH, `${src}<link rel="modulepreload" href="./assets/a.js">`),
        entry,
      ),
    ).toThrow(/modulepreload/)
    expect(() =>
      pinPageScripts(page(PENDING_SCRIPT_HASH, `<script type="importmap">{}</script>${src}`), entry),
    ).toThrow(/import map/)
    expect(() => pinPageScripts(page(PENDING_SCRIPT_HASH, '<script>a()\r\nb()</script>'), entry)).toThrow(
      /carriage/,
    )
  })

  it('the written build is checked from disk: a chunk whose bytes changed after pinning fails the build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-csp-'))
    try {
      mkdirSync(join(dir, 'assets'))
      const files = [
        { fileName: 'assets/entry.js', code: 'import("./lazy.js")' },
        { fileName: 'assets/lazy.js', code: 'export const x = 1' },
      ]
      for (const f of files) writeFileSync(join(dir, f.fileName), f.code)
      const html = pinPageScripts(
        page(PENDING_SCRIPT_HASH, '<script type="module" src="./assets/entry.js"></script>'),
        files,
      )
      writeFileSync(join(dir, 'index.html'), html)
      expect(unpinnedScripts(dir)).toEqual([])
      writeFileSync(join(dir, 'assets', 'lazy.js'), 'export const x = 2')
      writeFileSync(join(dir, 'assets', 'extra.js'), 'alert(1)')
      expect(unpinnedScripts(dir)).toEqual([
        'assets/extra.js: not pinned by the import map with its hash',
        'assets/extra.js: its hash is not in script-src',
        'assets/lazy.js: not pinned by the import map with its hash',
        'assets/lazy.js: its hash is not in script-src',
      ])
      writeFileSync(join(dir, 'index.html'), withPageScriptSources(html, ["'self'"]))
      expect(unpinnedScripts(dir)).toContain("script-src allows 'self'")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("under the dev server the page allows Vite's client and refresh preamble instead", () => {
    const hook = rendererCspPlugin().transformIndexHtml as {
      handler: (html: string, ctx: { server?: unknown }) => string
    }
    const source = page(PENDING_SCRIPT_HASH, '')
    expect(pageScriptSources(hook.handler(source, { server: {} }))).toEqual(["'self'", "'unsafe-inline'"])
    expect(hook.handler(source, {})).toBe(source)
  })
})
