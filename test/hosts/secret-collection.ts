import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { headerOf, pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { runFlightdeckProcess, type CliProcessRun } from '../fixtures/cli-process'

/** Each case starts flightdeck once or twice (a second or more each from source, more on a busy machine). */
export const CLI_TIMEOUT_MS = 180_000

/**
 * A collection folder (`dir`, in a temp `root` that is also the CLI's working folder) whose base is a raw server
 * answering every request `200 ok`, and an environment `ci` whose variables are secrets with no value on this
 * machine (a fresh CI runner): for checking at the server what `flightdeck` sent with them.
 */
export interface SecretCollection {
  server: RawServer
  root: string
  dir: string
  /** Each request the server got: its path (without the query) and its Authorization header as it came. */
  sent(): { path: string; auth: string | null }[]
  /** The real `flightdeck` in its own process, in `root`. */
  flightdeck(args: string[]): Promise<CliProcessRun>
  /** Before a case: forgets what the server got and the CLI's config folder (values stored by a run). */
  reset(): void
  close(): Promise<void>
}

export async function startSecretCollection(
  prefix: string,
  collection: { name: string; id: string },
  secrets: string[],
): Promise<SecretCollection> {
  const server = await startRawServer((socket) =>
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
  )
  const root = mkdtempSync(join(tmpdir(), prefix))
  const dir = join(root, 'api')
  mkdirSync(join(dir, 'environments'), { recursive: true })
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: ${collection.name}\nid: ${collection.id}\nvariables:\n  base: ${server.url}\n`,
  )
  writeFileSync(
    join(dir, 'environments', 'ci.yaml'),
    `name: ci\nvariables:\n${secrets.map((s) => `  ${s}:\n    secret: true\n`).join('')}`,
  )
  return {
    server,
    root,
    dir,
    sent: () =>
      server.heads.map((head) => ({
        path: pathOf(head).split('?')[0] ?? '',
        auth: headerOf(head, 'authorization'),
      })),
    flightdeck: (args) => runFlightdeckProcess(args, { root, timeoutMs: CLI_TIMEOUT_MS - 10_000 }),
    reset: () => {
      server.heads.length = 0
      rmSync(join(root, 'config'), { recursive: true, force: true })
    },
    close: async () => {
      await server.close()
      rmSync(root, { recursive: true, force: true })
    },
  }
}
