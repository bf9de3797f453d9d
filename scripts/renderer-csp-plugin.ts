import type { Plugin } from 'vite'
import {
  externalScripts,
  inlineScripts,
  pageScriptSources,
  PENDING_SCRIPT_HASH,
  withPageScriptSources,
} from '../src/shared/renderer-csp'
import { cspHash } from '../src/web/static-files'

/**
 * Pins the renderer's scripts by hash. vite-plugin-singlefile inlines the one bundle into index.html; this
 * plugin then replaces the pending marker in the page's CSP meta with the SHA-256 of each inline script, so the
 * page runs exactly the code that was built and nothing else — not another file from the same directory (which
 * `script-src 'self'` would allow on file://), not an injected inline script. Under the dev server the
 * marker becomes `'self' 'unsafe-inline'` (Vite's client and React's refresh preamble), as the dev CSP in
 * src/engine/hosts/page-csp.ts already allows.
 */

/** index.html with its script-src set to the hashes of its inline scripts; throws on anything it cannot pin. */
export function pinInlineScripts(html: string): string {
  const sources = pageScriptSources(html)
  if (!sources?.includes(PENDING_SCRIPT_HASH))
    throw new Error(`index.html's CSP script-src must hold ${PENDING_SCRIPT_HASH} for the build to replace`)
  const external = externalScripts(html)
  if (external.length > 0)
    throw new Error(
      `index.html still loads ${external.join(', ')}: the renderer must be one inline script (a lazy chunk ` +
        'would be refused by the hash-pinned CSP)',
    )
  const scripts = inlineScripts(html)
  if (scripts.length === 0) throw new Error('index.html has no inline script to pin')
  // The HTML parser turns CR LF into LF before the browser hashes; a CR would make the hash never match.
  if (scripts.some((s) => s.includes('\r'))) throw new Error('an inline script contains a carriage return')
  return withPageScriptSources(html, [...new Set(scripts.map(cspHash))])
}

export function rendererCspPlugin(): Plugin {
  return {
    name: 'flightdeck:renderer-csp',
    enforce: 'post',
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        if (ctx.server) return withPageScriptSources(html, ["'self'", "'unsafe-inline'"])
        return html
      },
    },
    generateBundle: {
      // After vite-plugin-singlefile's own post-order generateBundle (it comes first in the plugin list).
      order: 'post',
      handler(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (file.type !== 'asset' || !file.fileName.endsWith('.html')) continue
          const html =
            typeof file.source === 'string' ? file.source : Buffer.from(file.source).toString('utf8')
          file.source = pinInlineScripts(html)
        }
      },
    },
  }
}
