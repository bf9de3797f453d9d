import type { Plugin } from 'vite'

/**
 * The renderer reads `mime-types`' extension table (src/shared/file-type.ts) to show what type a file part will be
 * sent as. The package's index also does `require('path').extname`, which a browser bundle has no `path` for: Vite
 * would externalize it to an empty module and warn on every build. This plugin answers that one import, from
 * `mime-types` only, with the one function it uses, so no Node module is bundled and the warning goes; any other
 * renderer import of `path` still meets Vite's own refusal and warning.
 */
export const PATH_SHIM_ID = '\0flightdeck-path-extname'

/**
 * The module that stands for `path`: `extname` as Node's POSIX version defines it (the last `.` of the last
 * segment, not a leading one). Written out as text, not a function's `toString()`: the config is bundled before it
 * runs and a bundler may rename a function, leaving its text pointing at a name that does not exist.
 */
export const PATH_SHIM_SOURCE = `export function extname(path) {
  let end = path.length
  while (end > 1 && path[end - 1] === '/') end--
  const base = path.slice(path.lastIndexOf('/', end - 1) + 1, end)
  const dot = base.lastIndexOf('.')
  if (dot <= 0 || base === '..') return ''
  return base.slice(dot)
}
export default { extname }
`

function fromMimeTypes(importer: string | undefined): boolean {
  return importer !== undefined && /[\\/]node_modules[\\/]mime-types[\\/]/.test(importer)
}

export function rendererPathShimPlugin(): Plugin {
  return {
    name: 'flightdeck-renderer-path-shim',
    enforce: 'pre',
    resolveId(source, importer) {
      return source === 'path' && fromMimeTypes(importer) ? PATH_SHIM_ID : null
    },
    load(id) {
      if (id !== PATH_SHIM_ID) return null
      return PATH_SHIM_SOURCE
    },
  }
}
