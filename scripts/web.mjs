// `npm run web [-- --port N --no-open]`: build if the build is missing or older than any source, then run the
// browser host with the given arguments. Signals are forwarded so Ctrl+C closes the host cleanly.
import { spawn } from 'node:child_process'
import { ensureBuild } from './ensure-build.mjs'

ensureBuild('flightdeck web')

const child = spawn(process.execPath, ['out/web/index.js', ...process.argv.slice(2)], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
