import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pinInlineScripts, rendererCspPlugin } from '../../scripts/renderer-csp-plugin'
import { PENDING_SCRIPT_HASH, pageScriptSources } from '../../src/shared/renderer-csp'
import { cspHash } from '../../src/web/static-files'

const ROOT = join(import.meta.dirname, '..', '..')
const page = (scriptSrc: string, body: string) =>
  `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${scriptSrc}; object-src 'none'" />${body}</head></html>`

describe('the renderer page pins its script by hash', () => {
  it('the source page allows no script until the build fills in the hash', () => {
    const source = readFileSync(join(ROOT, 'src', 'renderer', 'index.html'), 'utf8')
    expect(pageScriptSources(source)).toEqual([PENDING_SCRIPT_HASH])
  })

  it('replaces the pending marker with the hash of exactly the inline code', () => {
    const code = 'console.log("flightdeck")'
    const out = pinInlineScripts(
      page(PENDING_SCRIPT_HASH, `<script type="module" crossorigin>${code}</script>`),
    )
    expect(pageScriptSources(out)).toEqual([cspHash(code)])
    // The well-known digest of this text, so the hash is the one a browser computes.
    expect(cspHash('')).toBe("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='")
  })

  it('refuses to build a page it cannot pin', () => {
    expect(() => pinInlineScripts(page("'self'", '<script>x()</script>'))).toThrow(/must hold/)
    expect(() =>
      pinInlineScripts(page(PENDING_SCRIPT_HASH, '<script type="module" src="./chunk.js"></script>')),
    ).toThrow(/one inline script/)
    expect(() => pinInlineScripts(page(PENDING_SCRIPT_HASH, ''))).toThrow(/no inline script/)
    expect(() => pinInlineScripts(page(PENDING_SCRIPT_HASH, '<script>a()\r\nb()</script>'))).toThrow(
      /carriage/,
    )
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
