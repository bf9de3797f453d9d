import { mkdtempSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The user's Flightdeck config folder (recent collections, global variables, the browser host's and CLI's
 * secrets). `FLIGHTDECK_CONFIG_DIR` overrides it (tests and e2e runs use a temp folder).
 */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['FLIGHTDECK_CONFIG_DIR']
  if (override) return override
  if (process.platform === 'win32')
    return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Flightdeck')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Flightdeck')
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'flightdeck')
}

let testDir: string | null = null

/**
 * The config folder of an engine made for tests and benches (host `test`) that named none: a temp folder of
 * this process, removed when it exits. Such an engine reopening and watching the person's recent collections,
 * or leaving files in their config folder, is what this prevents. `FLIGHTDECK_CONFIG_DIR` still wins.
 */
export function testConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['FLIGHTDECK_CONFIG_DIR']
  if (override) return override
  if (testDir) return testDir
  const dir = mkdtempSync(join(tmpdir(), 'flightdeck-test-config-'))
  testDir = dir
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}
