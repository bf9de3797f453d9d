// One autocannon run in a process of its own, as `flightdeck run` is in the runner bench, so both tools start
// cold (no JIT warmed by earlier rounds). Usage: node autocannon-run.mjs <url> <amount> <connections>.
// Prints one JSON line: {ms, responses, ok, errors, timeouts}.
//
// The time is from the call to autocannon until its LAST RESPONSE arrived. autocannon itself calls back only
// at its next sampling tick (every `sampleInt`, 1 s by default), so timing to the callback rounds every run
// up to whole seconds: 20,000 requests that took 0.5 s read as ~1.0 s.
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
const autocannon = require('autocannon')

const [url, amountText, connectionsText] = process.argv.slice(2)
const amount = Number(amountText)
const connections = Number(connectionsText)
if (!url || !Number.isInteger(amount) || amount < 1 || !Number.isInteger(connections) || connections < 1) {
  process.stderr.write('usage: node autocannon-run.mjs <url> <amount> <connections>\n')
  process.exit(2)
}

let responses = 0
let lastResponseAt = 0
const start = performance.now()
const instance = autocannon({ url, connections, amount, timeout: 30 }, (err, result) => {
  if (err) {
    process.stderr.write(`autocannon: ${err.message}\n`)
    process.exit(1)
  }
  const line = {
    ms: lastResponseAt - start,
    responses,
    ok: result['2xx'],
    errors: result.errors,
    timeouts: result.timeouts,
    /** When autocannon called back, for comparison with the last response. */
    callbackMs: performance.now() - start,
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
})
instance.on('response', () => {
  responses++
  lastResponseAt = performance.now()
})
