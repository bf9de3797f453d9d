import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createEngineService } from '../engine/service'
import { openBrowser } from './opener'
import { missingBuild, startWebHost, type WebHost } from './server'

/**
 * `npm run web` / `node out/web/index.js [--port N] [--no-open]`: the browser host. Builds nothing (scripts/web.mjs
 * does); serves out/renderer next to this bundle and prints exactly one `Flightdeck: <url>` line on stdout.
 */

export interface WebCliArgs {
  port: number
  open: boolean
  /** Collection folders to open at start (`--collections DIR`, repeatable). */
  collections: string[]
}

export function parseWebArgs(argv: string[]): WebCliArgs | { error: string } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'no-open': { type: 'boolean' },
        collections: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    })
    if (values.help) return { error: 'usage: flightdeck-web [--port N] [--no-open] [--collections DIR]...' }
    const port = values.port === undefined ? 0 : Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      return { error: `--port must be 0..65535, got ${values.port}` }
    return { port, open: !values['no-open'], collections: values.collections ?? [] }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) }
  }
}

async function main(): Promise<void> {
  const args = parseWebArgs(process.argv.slice(2))
  if ('error' in args) {
    process.stderr.write(`flightdeck web: ${args.error}\n`)
    process.exitCode = 2
    return
  }
  const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url))
  const bridgeFile = fileURLToPath(new URL('./bridge.js', import.meta.url))
  const missing = await missingBuild(rendererDir, bridgeFile)
  if (missing) {
    process.stderr.write(`flightdeck web: ${missing}\n`)
    process.exitCode = 1
    return
  }

  // The bridge turns a save without a path into the browser's download (src/web/bridge).
  const service = createEngineService({
    host: 'web',
    collections: args.collections,
    capabilities: { downloads: true },
  })
  let host: WebHost
  try {
    host = await startWebHost({ service, port: args.port, rendererDir, bridgeFile })
  } catch (e) {
    await service.dispose()
    process.stderr.write(
      `flightdeck web: cannot listen on 127.0.0.1:${args.port}: ${e instanceof Error ? e.message : String(e)}\n`,
    )
    process.exitCode = 1
    return
  }
  // The terminal is the person's own, so it gets the token; the opener's command line is anyone's to read
  // (`ps`), so it gets a launch link that works once.
  process.stdout.write(`Flightdeck: ${host.url}\n`)
  if (args.open) {
    const launch = host.launchUrl()
    if (launch.ok) openBrowser(launch.url)
    else process.stderr.write(`flightdeck web: ${launch.reason}; open the URL above instead\n`)
  }

  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    void host
      .close()
      .then(() => service.dispose())
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main()
