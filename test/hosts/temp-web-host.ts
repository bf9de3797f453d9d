import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { startWebHost, type WebHost } from '../../src/web/server'

/**
 * A browser host over a temp folder the test lays out: `renderer/` stands in for the build's page and files,
 * `bridge.js` for its bridge, and the engine service behind it keeps its config in `config/` there. `close`
 * stops the host and the service and removes the folder.
 */
export interface TempWebHost {
  dir: string
  service: EngineService
  host: WebHost
  close(): Promise<void>
}

export interface TempWebHostLayout {
  /** The temp folder's name starts so (it says which test left it, should one be left). */
  prefix: string
  /** Files by path under the folder (e.g. `renderer/index.html`); `bridge.js` is `/* bridge *\/` unless given. */
  files?: Record<string, string>
  /** What else the test lays out (links, say) once the files are there and before the host starts. */
  prepare?: (dir: string) => Promise<void>
  /** Where the host's log lines go (by default nowhere). */
  log?: (line: string) => void
  /** An engine service other than the plain web one, made with the folder's config path. */
  service?: (configDir: string) => EngineService
}

export async function startTempWebHost(layout: TempWebHostLayout): Promise<TempWebHost> {
  const dir = await mkdtemp(join(tmpdir(), layout.prefix))
  await mkdir(join(dir, 'renderer', 'assets'), { recursive: true })
  for (const [path, text] of Object.entries({ 'bridge.js': '/* bridge */', ...layout.files })) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  await layout.prepare?.(dir)
  const configDir = join(dir, 'config')
  const service = layout.service
    ? layout.service(configDir)
    : createEngineService({ host: 'web', flushEveryMs: 10, configDir })
  const host = await startWebHost({
    service,
    rendererDir: join(dir, 'renderer'),
    bridgeFile: join(dir, 'bridge.js'),
    log: layout.log ?? (() => undefined),
  })
  return {
    dir,
    service,
    host,
    close: async () => {
      await host.close()
      await service.dispose()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
