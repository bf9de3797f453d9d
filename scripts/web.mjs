// `npm run web [-- --port N --no-open]`: build if the build is missing or older than any source, then run the
// browser host with the given arguments. Signals are forwarded so Ctrl+C closes the host cleanly.
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const outputs = [
  'out/web/index.js',
  'out/web/bridge.js',
  'out/renderer/index.html',
  'out/main/index.js',
  'out/preload/index.cjs',
]

function mtime(path) {
  try {
    return statSync(path).mtimeMs
  } catch {
    return null
  }
}

function newestUnder(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const t = entry.isDirectory() ? newestUnder(path) : (mtime(path) ?? 0)
    if (t > newest) newest = t
  }
  return newest
}

function needsBuild() {
  const times = outputs.map(mtime)
  if (times.some((t) => t === null)) return true
  const oldestOutput = Math.min(...times)
  const inputs = ['electron.vite.config.ts', 'package.json', 'tsconfig.web.json'].map((f) => mtime(f) ?? 0)
  return Math.max(newestUnder('src'), ...inputs) > oldestOutput
}

if (needsBuild()) {
  console.error('flightdeck web: building (npm run build)…')
  const r = spawnSync('npm', ['run', 'build'], {
    stdio: ['ignore', process.stderr, process.stderr],
    shell: process.platform === 'win32',
  })
  if (r.status !== 0) {
    console.error('flightdeck web: build failed')
    process.exit(r.status ?? 1)
  }
}

const child = spawn(process.execPath, ['out/web/index.js', ...process.argv.slice(2)], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
