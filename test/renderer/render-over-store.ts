import type { ReactElement } from 'react'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import type { AppStore } from '../../src/renderer/store/app-store'
import { createLiveClock } from '../../src/renderer/store/live-clock'
import { StoresContext } from '../../src/renderer/store/store-context'

/**
 * The HTML `element` renders inside the app's StoresContext over `store`, as it is now: a server render, which
 * reads a store's initial state, so the store is handed over with its current state as the initial one.
 */
export function renderOverStore(store: AppStore, element: ReactElement): string {
  const app = { ...store, getInitialState: () => store.getState() }
  return renderToStaticMarkup(
    createElement(StoresContext.Provider, { value: { app, clock: createLiveClock() } }, element),
  )
}
