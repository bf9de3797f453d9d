// Build the app (`npm run build`) when an output is missing or older than any source, so commands that run the
// built app (`npm run web`, `npm run bench`) work on a fresh clone and never measure or serve a stale bundle.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const outputs = [
  'out/web/index.js',
  'out/web/bridge.js',
  'out/cli/index.js',
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

export function needsBuild() {
  const times = outputs.map(mtime)
  if (times.some((t) => t === null)) return true
  const oldestOutput = Math.min(...times)
  const inputs = [
    'electron.vite.config.ts',
    'package.json',
    'tsconfig.web.json',
    'scripts/build-node.mjs',
  ].map((f) => mtime(f) ?? 0)
  return Math.max(newestUnder('src'), ...inputs) > oldestOutput
}

/** Build if needed; exits the process with the build's status when the build fails. */
export function ensureBuild(label) {
  if (!needsBuild()) return
  console.error(`${label}: building (npm run build)…`)
  const r = spawnSync('npm', ['run', 'build'], {
    stdio: ['ignore', process.stderr, process.stderr],
    shell: process.platform === 'win32',
  })
  if (r.status !== 0) {
    console.error(`${label}: build failed`)
    process.exit(r.status ?? 1)
  }
}
