import type { BrowserWindowConstructorOptions } from 'electron'
import { constructSecureWindow } from '../../src/main/window-options'

/** The options the window factory passes to Electron, recorded with a stand-in class (no Electron binary here). */
export function windowOptions(): BrowserWindowConstructorOptions {
  const seen: BrowserWindowConstructorOptions[] = []
  constructSecureWindow(
    class {
      constructor(options: BrowserWindowConstructorOptions) {
        seen.push(options)
      }
    },
  )
  const options = seen[0]
  if (!options) throw new Error('window factory constructed nothing')
  return options
}

export function secureWebPreferences(): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  const prefs = windowOptions().webPreferences
  if (!prefs) throw new Error('window factory set no webPreferences')
  return prefs
}
