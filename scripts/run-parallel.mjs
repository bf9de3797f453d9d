// `node scripts/run-parallel.mjs [--jobs N] [--live] -- "npm run a" "npm run b" …`: runs the commands, N at a time
// (the machine's cores by default, at most 2: the CI machine has two), each with its output kept whole and printed
// when it ends, headed by its command, its result and its time. With one at a time, or with `--live` for the
// first command, that output is printed as it comes instead (a long test run shows its progress, and where it
// hung). Every command runs even when one fails; then the failures are named again at the end and the exit code
// is 1. npm test's checks (tsc, ESLint, Prettier, Electronegativity, the build) are single-threaded for most of
// their time, so two at a time finish in about half the time.
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'

const args = process.argv.slice(2)
const split = args.indexOf('--')
const options = split === -1 ? [] : args.slice(0, split)
const commands = split === -1 ? args : args.slice(split + 1)
const jobsAt = options.indexOf('--jobs')
const jobs = jobsAt === -1 ? Math.min(2, availableParallelism()) : Number(options[jobsAt + 1])
const liveFirst = options.includes('--live')
const known = options.every(
  (o, i) => o === '--live' || o === '--jobs' || (i > 0 && options[i - 1] === '--jobs'),
)
if (commands.length === 0 || !Number.isInteger(jobs) || jobs < 1 || !known) {
  console.error('usage: node scripts/run-parallel.mjs [--jobs N] [--live] -- "command" "command" …')
  process.exit(2)
}

/** While a live command runs, the others' whole outputs wait for its end, so they do not cut into it. */
let liveRunning = false
const held = []
function print(text) {
  if (liveRunning) held.push(text)
  else process.stdout.write(text)
}

/** Runs one command in a shell, its stdout and stderr kept in the order they came. */
function run(command) {
  const started = Date.now()
  return new Promise((resolve) => {
    const live = jobs === 1 || (liveFirst && command === commands[0])
    if (live) {
      process.stdout.write(`\n── ${command}\n`)
      liveRunning = jobs > 1
    }
    const child = spawn(command, {
      shell: true,
      stdio: ['ignore', live ? 'inherit' : 'pipe', live ? 'inherit' : 'pipe'],
    })
    const chunks = []
    child.stdout?.on('data', (c) => chunks.push(c))
    child.stderr?.on('data', (c) => chunks.push(c))
    child.on('error', (e) => chunks.push(Buffer.from(`${e.message}\n`)))
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      const ok = code === 0
      const result = ok ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`
      if (live) liveRunning = false
      print(Buffer.concat([Buffer.from(`\n── ${command}: ${result} in ${seconds} s\n`), ...chunks]))
      if (live)
        for (let text = held.shift(); text !== undefined; text = held.shift()) process.stdout.write(text)
      resolve({ command, ok, seconds })
    })
  })
}

const queue = [...commands]
const results = []
async function lane() {
  for (let command = queue.shift(); command !== undefined; command = queue.shift())
    results.push(await run(command))
}
await Promise.all(Array.from({ length: Math.min(jobs, commands.length) }, lane))

const failed = results.filter((r) => !r.ok)
process.stdout.write(
  `\n── ${results.map((r) => `${r.command} ${r.ok ? 'passed' : 'FAILED'} (${r.seconds} s)`).join('; ')}\n`,
)
if (failed.length > 0) {
  console.error(`\nFAILED: ${failed.map((r) => r.command).join(', ')} (output above)`)
  process.exit(1)
}
