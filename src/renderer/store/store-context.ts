import { createContext, useContext } from 'react'
import { useStore } from 'zustand'
import type { AppState } from './app-state'
import type { AppStore } from './app-store'
import type { LiveClock } from './live-clock'

export interface Stores {
  app: AppStore
  clock: LiveClock
}

export const StoresContext = createContext<Stores | null>(null)

function useStores(): Stores {
  const stores = useContext(StoresContext)
  if (!stores) throw new Error('StoresContext is missing: render inside <StoresContext.Provider>')
  return stores
}

/** Select the least a component needs; it re-renders only when that slice of state changes. */
export function useAppStore<T>(selector: (s: AppState) => T): T {
  return useStore(useStores().app, selector)
}

/** The store itself, for event handlers that read state without subscribing to it. */
export function useAppStoreApi(): AppStore {
  return useStores().app
}

/** Engine "now" for text, ticking ten times a second while anything is in flight (live-clock.ts). */
export function useLiveNow(): number {
  return useStore(useStores().clock, (s) => s.readable)
}

export function useLiveClockApi(): LiveClock {
  return useStores().clock
}
