import type { FlightdeckApi } from '../shared/contract'

declare global {
  interface Window {
    /** Injected by the host before the renderer's module script runs: the preload (Electron) or src/web's bridge. */
    api: FlightdeckApi
  }
}
