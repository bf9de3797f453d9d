// One run of a peer load generator in a process of its own, as `flightdeck run` is in the runner bench, so
// every tool starts cold (no JIT warmed by earlier rounds).
// Usage: node peer-run.mjs <autocannon|undici|undici-dispatch> <url> <amount> <connections>.
// Prints one JSON line: {ms, callbackMs, startAt, endAt, responses, ok, errors, timeouts}.
//
// `ms` is from the run's start to its LAST RESPONSE. autocannon itself calls back only at its next sampling
// tick (every `sampleInt`, 1 s by default), so timing to its callback (`callbackMs`) rounds every run up to
// whole seconds: 20,000 requests that took 0.5 s read as ~1.0 s.
//
// Times are read on the machine's monotonic clock (process.hrtime, CLOCK_MONOTONIC), which every process reads
// alike: `startAt` and `endAt` (the run's start and last response) can be set beside what the server saw.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

const [tool, url, amountText, connectionsText] = process.argv.slice(2)
const amount = Number(amountText)
const connections = Number(connectionsText)
if (
  !['autocannon', 'undici', 'undici-dispatch'].includes(tool) ||
  !url ||
  !Number.isInteger(amount) ||
  amount < 1 ||
  !Number.isInteger(connections) ||
  connections < 1
) {
  process.stderr.write(
    'usage: node peer-run.mjs <autocannon|undici|undici-dispatch> <url> <amount> <connections>\n',
  )
  process.exit(2)
}

/** Milliseconds on the monotonic clock all processes of the machine share. */
const now = () => Number(process.hrtime.bigint()) / 1e6

function report(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

/** autocannon: 50 connections, `amount` requests, checks nothing but the status class. */
function runAutocannon() {
  const autocannon = require('autocannon')
  let responses = 0
  let lastResponseAt = 0
  const start = now()
  const instance = autocannon({ url, connections, amount, timeout: 30 }, (err, result) => {
    if (err) {
      process.stderr.write(`autocannon: ${err.message}\n`)
      process.exit(1)
    }
    report({
      ms: lastResponseAt - start,
      callbackMs: now() - start,
      startAt: start,
      endAt: lastResponseAt,
      responses,
      ok: result['2xx'],
      errors: result.errors,
      timeouts: result.timeouts,
    })
  })
  instance.on('response', () => {
    responses++
    lastResponseAt = now()
  })
}

/** Bare undici, the engine's HTTP library: `connections` loops of `request()` reading each body. */
async function runUndici() {
  const { Agent, request } = require('undici')
  const dispatcher = new Agent({ connections })
  let left = amount
  let responses = 0
  let ok = 0
  let errors = 0
  const start = now()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left > 0) {
        left--
        try {
          const res = await request(url, { dispatcher })
          await res.body.arrayBuffer()
          responses++
          if (res.statusCode >= 200 && res.statusCode < 300) ok++
        } catch {
          errors++
        }
      }
    }),
  )
  const end = now()
  const ms = end - start
  report({ ms, callbackMs: ms, startAt: start, endAt: end, responses, ok, errors, timeouts: 0 })
  await dispatcher.close()
}

/**
 * A dispatch handler that keeps nothing: no body stream, no header parsing, the body's bytes dropped as they come.
 * undici calls these methods itself (the legacy handler shape its client speaks natively, as the engine's
 * exchange does), so this is the least a request through undici can cost.
 */
class MinimalHandler {
  constructor(done) {
    this.done = done
    this.status = 0
  }
  onConnect() {}
  onHeaders(statusCode) {
    this.status = statusCode
    return true
  }
  onData() {
    return true
  }
  onComplete() {
    this.done(null, this.status)
  }
  onError(err) {
    this.done(err, 0)
  }
}

/** Bare undici `dispatch()` with MinimalHandler: `connections` loops, the library's own ceiling. */
async function runUndiciDispatch() {
  const { Agent } = require('undici')
  const dispatcher = new Agent({ connections })
  const { origin, pathname, search } = new URL(url)
  const options = { origin, path: pathname + search, method: 'GET' }
  const once = () =>
    new Promise((resolve, reject) => {
      dispatcher.dispatch(options, new MinimalHandler((err, status) => (err ? reject(err) : resolve(status))))
    })
  let left = amount
  let responses = 0
  let ok = 0
  let errors = 0
  const start = now()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left > 0) {
        left--
        try {
          const status = await once()
          responses++
          if (status >= 200 && status < 300) ok++
        } catch {
          errors++
        }
      }
    }),
  )
  const end = now()
  const ms = end - start
  report({ ms, callbackMs: ms, startAt: start, endAt: end, responses, ok, errors, timeouts: 0 })
  await dispatcher.close()
}

if (tool === 'autocannon') runAutocannon()
else if (tool === 'undici') await runUndici()
else await runUndiciDispatch()
