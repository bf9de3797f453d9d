import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'

/** What `flightdeck run` printed (stdout and stderr together), its exit code and its run.json. */
export interface CollectionRun {
  code: number
  text: string
  report: JsonRunReport
}

/** A collection folder written by a test, run in this process by `flightdeck run` with a config folder of its own. */
export interface CollectionRunFolder {
  dir: string
  /** Writes a file of the collection (folders made as needed). */
  write(rel: string, text: string): void
  /** `flightdeck run <dir> <path> --reporter cli,json --out <out>`. */
  run(path: string): Promise<CollectionRun>
  remove(): void
}

export function collectionRunFolder(prefix: string): CollectionRunFolder {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  const configDir = mkdtempSync(join(tmpdir(), `${prefix}-config-`))
  const out = mkdtempSync(join(tmpdir(), `${prefix}-out-`))
  return {
    dir,
    write(rel, text) {
      mkdirSync(join(dir, rel, '..'), { recursive: true })
      writeFileSync(join(dir, rel), text)
    },
    async run(path) {
      let text = ''
      const io = { out: (t: string) => void (text += t), err: (t: string) => void (text += t) }
      const saved = process.env['FLIGHTDECK_CONFIG_DIR']
      process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
      try {
        const code = await runRunCli([dir, path, '--reporter', 'cli,json', '--out', out], io)
        const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
        return { code, text, report }
      } finally {
        if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
        else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
      }
    },
    remove() {
      for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
    },
  }
}
