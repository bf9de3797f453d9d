#!/usr/bin/env node
// The `flightdeck` command. In a checkout (src/ present and tsx installed) it runs the TypeScript source, so
// `npx flightdeck` never needs a build; an installed package runs the bundle in out/cli.
import { existsSync } from 'node:fs'

const source = new URL('../src/cli/index.ts', import.meta.url)

function canResolve(specifier) {
  try {
    import.meta.resolve(specifier)
    return true
  } catch {
    return false
  }
}

let cli
if (existsSync(source) && canResolve('tsx/esm/api')) {
  const { tsImport } = await import('tsx/esm/api')
  cli = await tsImport(source.href, import.meta.url)
} else {
  cli = await import('../out/cli/index.js')
}

const code = await cli.runCli(process.argv.slice(2))
process.exitCode = code
// Everything is disposed by now, so the process ends on its own. If a stray handle keeps it alive, say so (it is
// a bug, and the CLI tests check stderr) and end anyway rather than hang a CI job.
setTimeout(() => {
  process.stderr.write('flightdeck: internal: forced exit, a handle was left open\n')
  process.exit(code)
}, 2000).unref()
