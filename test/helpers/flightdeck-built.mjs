// The `flightdeck` command as the tests start it: the run's CLI bundle (FLIGHTDECK_TEST_CLI, which
// test/setup/cli-bundle.ts sets to out/cli when that is fresh, else to a bundle it built once for the run), run as
// bin/flightdeck.js runs a bundle. Without FLIGHTDECK_TEST_CLI (a file started outside the cli-process project)
// it is bin/flightdeck.js itself. bin/flightdeck.js's own choice (the bundle when fresh, else the source through
// tsx) is tested by test/hosts/bin-checkout-entry.test.ts.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const entry = process.env.FLIGHTDECK_TEST_CLI
// bin/flightdeck.js requires the bundle's CommonJS entry (index.cjs beside index.js) where the build made one.
const commonJs = entry?.replace(/\.js$/, '.cjs')
if (commonJs && existsSync(commonJs)) {
  await createRequire(import.meta.url)(commonJs).main(process.argv.slice(2))
} else if (entry) {
  const cli = await import(pathToFileURL(entry).href)
  await cli.main(process.argv.slice(2))
} else {
  await import('../../bin/flightdeck.js')
}
