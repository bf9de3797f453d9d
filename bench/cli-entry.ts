import { existsSync } from 'node:fs'

/**
 * The node arguments that start a built CLI bundle as bin/flightdeck.js starts it: CommonJS requiring the
 * bundle's CommonJS entry (index.cjs beside index.js) and calling its `main`. A bundle built before that entry
 * existed is imported as the ES module it is, as bin/flightdeck.js then did, so an old build can still be
 * measured beside a new one. `prelude` is code run first (a bench's exit report); the CLI's own arguments follow.
 */
export function cliEntryArgs(bundle: string, prelude = ''): string[] {
  const commonjs = bundle.replace(/\.js$/, '.cjs')
  if (existsSync(commonjs))
    return ['-e', `${prelude}require(process.argv[1]).main(process.argv.slice(2))`, commonjs]
  return [
    '--input-type=module',
    '-e',
    `${prelude}const cli = await import(process.argv[1]); await cli.main(process.argv.slice(2))`,
    bundle,
  ]
}
