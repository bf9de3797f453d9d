// The `flightdeck` command as the tests start it: the run's CLI bundle (FLIGHTDECK_TEST_CLI, which
// test/setup/cli-bundle.ts sets to out/cli when that is fresh, else to a bundle it built once for the run), run as
// bin/flightdeck.js runs a bundle. Without FLIGHTDECK_TEST_CLI (a file started outside the cli-process project)
// it is bin/flightdeck.js itself. bin/flightdeck.js's own choice (the bundle when fresh, else the source through
// tsx) is tested by test/hosts/bin-checkout-entry.test.ts.
import { pathToFileURL } from 'node:url'

const entry = process.env.FLIGHTDECK_TEST_CLI
if (entry) {
  const cli = await import(pathToFileURL(entry).href)
  await cli.main(process.argv.slice(2))
} else {
  await import('../../bin/flightdeck.js')
}
