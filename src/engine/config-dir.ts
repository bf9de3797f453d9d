import { homedir } from 'node:os'
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
