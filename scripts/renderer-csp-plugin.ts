import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Plugin } from 'vite'
import {
  externalScripts,
  importMapIntegrity,
  inlineScripts,
  pagePath,
  pageScriptSources,
  PENDING_SCRIPT_HASH,
  withPageScriptSources,
} from '../src/shared/renderer-csp'
import { cspHash } from '../src/web/static-files'

/**
 * Pins every script the renderer page may run by its SHA-256, and allows nothing else: the page's CSP
 * `script-src` holds hashes only (no 'self', no 'strict-dynamic', no 'unsafe-*'). The entry is an external module
 * script whose `integrity` attribute carries its hash; every other chunk (the editors, GraphQL, the protocol panes,
 * loaded by `import()` on first use) is pinned by an inline import map's `integrity` section, the map itself by
 * the hash of its text. A chunk whose bytes differ from the build's is refused by the browser, and so is any file
 * the build did not emit, even one in the same directory (which `'self'` would allow on file://). Under the dev
 * server the pending marker becomes `'self' 'unsafe-inline'` (Vite's client and React's refresh preamble), as the
 * dev CSP in src/engine/hosts/page-csp.ts already allows.
 */

/** One emitted script: its path under the build's root (`assets/index-abc.js`) and its exact bytes. */
export interface EmittedScript {
  fileName: string
  code: string | Uint8Array
}

/** The Subresource Integrity value (`sha256-…`) of exactly these bytes. */
export function sriHash(code: string | Uint8Array): string {
  return `sha256-${createHash('sha256').update(code).digest('base64')}`
}

const IMPORT_MAP_RE = /<script\b[^>]*\btype\s*=\s*["']?importmap["']?[^>]*>/i
const MODULE_PRELOAD_RE = /<link\b[^>]*\brel\s*=\s*["']?modulepreload\b[^>]*>/i
const CSP_META_RE = /<meta\b[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>/i

/** The import map's text: one line, `<` escaped so no chunk name can end or confuse the element. */
function importMapText(integrity: Record<string, string>): string {
  return JSON.stringify({ integrity }).replace(/</g, '\\u003c')
}

/**
 * index.html with every script pinned: `integrity` on each external script, an import map pinning every emitted
 * script, and script-src set to exactly their hashes. Throws on anything it cannot pin.
 */
export function pinPageScripts(html: string, scripts: readonly EmittedScript[]): string {
  const sources = pageScriptSources(html)
  if (!sources?.includes(PENDING_SCRIPT_HASH))
    throw new Error(`index.html's CSP script-src must hold ${PENDING_SCRIPT_HASH} for the build to replace`)
  if (IMPORT_MAP_RE.test(html)) throw new Error('index.html already has an import map; the build writes it')
  if (MODULE_PRELOAD_RE.test(html))
    throw new Error(
      'index.html has a <link rel="modulepreload">: its fetch carries no integrity, so the hash-only CSP ' +
        'refuses it (set build.modulePreload to false)',
    )
  const byName = new Map(scripts.map((s) => [s.fileName, sriHash(s.code)]))
  const hashes: string[] = []
  let page = html
  for (const src of externalScripts(html)) {
    const hash = byName.get(pagePath(src))
    if (!hash) throw new Error(`index.html loads ${src}, which this build did not emit`)
    // Pin the tag naming exactly this src (the attribute's value is quoted or bare in Vite's output).
    const tag = new RegExp(
      `<script\\b(?![^>]*\\bintegrity\\s*=)([^>]*\\bsrc\\s*=\\s*["']?${escapeRe(src)}["'\\s>])`,
      'i',
    )
    if (!tag.test(page)) throw new Error(`cannot find the <script> tag of ${src} to pin`)
    page = page.replace(tag, `<script integrity="${hash}"$1`)
    hashes.push(`'${hash}'`)
  }
  const integrity: Record<string, string> = {}
  for (const [fileName, hash] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    integrity[`./${fileName}`] = hash
    hashes.push(`'${hash}'`)
  }
  const meta = CSP_META_RE.exec(page)
  if (!meta) throw new Error('index.html has no Content-Security-Policy meta')
  // The map must come before every module script, and after the CSP meta so the meta governs it.
  const at = meta.index + meta[0].length
  page = `${page.slice(0, at)}<script type="importmap">${importMapText(integrity)}</script>${page.slice(at)}`
  const inline = inlineScripts(page)
  // The HTML parser turns CR LF into LF before the browser hashes; a CR would make the hash never match.
  if (inline.some((s) => s.includes('\r'))) throw new Error('an inline script contains a carriage return')
  return withPageScriptSources(page, [...new Set([...inline.map(cspHash), ...hashes])])
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Every `.js` file under `dir`, as paths relative to it (`assets/a.js`). */
function scriptFiles(dir: string, under = ''): string[] {
  const out: string[] = []
  for (const entry of readdirSync(join(dir, under), { withFileTypes: true })) {
    const rel = under ? `${under}/${entry.name}` : entry.name
    if (entry.isDirectory()) out.push(...scriptFiles(dir, rel))
    else if (/\.m?js$/i.test(entry.name)) out.push(rel)
  }
  return out
}

/**
 * The written build, checked from disk: every script file is pinned in index.html by the hash of its bytes, and
 * the page's script-src holds every such hash. Returns the problems (empty when the build is sound).
 */
export function unpinnedScripts(outDir: string): string[] {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8')
  const sources = new Set(pageScriptSources(html) ?? [])
  const map = importMapIntegrity(html)
  const problems: string[] = []
  for (const file of scriptFiles(outDir)) {
    const hash = sriHash(readFileSync(join(outDir, file)))
    if (map[`./${file}`] !== hash) problems.push(`${file}: not pinned by the import map with its hash`)
    if (!sources.has(`'${hash}'`)) problems.push(`${file}: its hash is not in script-src`)
  }
  for (const s of sources)
    if (!/^'sha(256|384|512)-[A-Za-z0-9+/]+=*'$/.test(s)) problems.push(`script-src allows ${s}`)
  return problems
}

export function rendererCspPlugin(): Plugin {
  let outDir = ''
  return {
    name: 'flightdeck:renderer-csp',
    enforce: 'post',
    configResolved(config) {
      outDir = config.build.outDir
    },
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        if (ctx.server) return withPageScriptSources(html, ["'self'", "'unsafe-inline'"])
        return html
      },
    },
    generateBundle: {
      // Last, so the chunks' code is final (minified, Vite's import rewriting done).
      order: 'post',
      handler(_options, bundle) {
        const scripts: EmittedScript[] = []
        for (const file of Object.values(bundle)) {
          if (file.type === 'chunk') scripts.push({ fileName: file.fileName, code: file.code })
          else if (/\.m?js$/i.test(file.fileName))
            scripts.push({ fileName: file.fileName, code: file.source })
        }
        for (const file of Object.values(bundle)) {
          if (file.type !== 'asset' || !file.fileName.endsWith('.html')) continue
          const html =
            typeof file.source === 'string' ? file.source : Buffer.from(file.source).toString('utf8')
          file.source = pinPageScripts(html, scripts)
        }
      },
    },
    writeBundle: {
      order: 'post',
      handler() {
        // The bytes on disk are what the browser hashes: check those, and fail the build loudly if any differs.
        const problems = unpinnedScripts(outDir)
        if (problems.length > 0)
          throw new Error(`the renderer build has scripts its CSP does not pin:\n  ${problems.join('\n  ')}`)
      },
    },
  }
}
