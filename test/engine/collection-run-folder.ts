import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'

/** What `flightdeck run` printed (on each stream, and both together), its exit code and its run.json. */
export interface CollectionRun {
  code: number
  text: string
  stdout: string
  stderr: string
  report: JsonRunReport
}

/** What `flightdeck run` printed on each stream and its exit code. */
export interface RunCliOutput {
  code: number
  stdout: string
  stderr: string
}

/** `flightdeck run <args>` in this process, with `configDir` as its config folder for the call. */
export async function runCliWithConfig(configDir: string, args: string[]): Promise<RunCliOutput> {
  let stdout = ''
  let stderr = ''
  const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t) }
  const saved = process.env['FLIGHTDECK_CONFIG_DIR']
  process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
  try {
    return { code: await runRunCli(args, io), stdout, stderr }
  } finally {
    if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
    else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
  }
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
      const r = await runCliWithConfig(configDir, [dir, path, '--reporter', 'cli,json', '--out', out])
      const report = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
      return { ...r, text: r.stdout + r.stderr, report }
    },
    remove() {
      for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
    },
  }
}
