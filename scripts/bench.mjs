// `npm run bench [-- keys…]`: build first when the build is missing or stale (the CLI and UI benches measure the
// built app), then run the benches with the given arguments.
import { spawn } from 'node:child_process'
import { ensureBuild } from './ensure-build.mjs'

ensureBuild('flightdeck bench')

const child = spawn('npx', ['tsx', 'bench/index.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
