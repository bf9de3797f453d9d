import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import type { EngineService } from '../../src/engine/service'
import type { ColumnId } from '../../src/renderer/timeline/columns'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { TimelineRow } from '../../src/renderer/timeline/TimelineRow'
import { createAppStore } from '../../src/renderer/store/app-store'
import { createLiveClock } from '../../src/renderer/store/live-clock'
import { StoresContext } from '../../src/renderer/store/store-context'
import type { Recorder } from '../engine/stream-helpers'
import { fakeClient } from './fake-client'

/** A session's timeline row name cell as the page draws it from the events recorded: its two parts' text. */
export function nameCell(
  service: EngineService,
  rec: Recorder,
  sid: string,
): { name: string; where: string } {
  service.flush()
  const app = createAppStore(fakeClient().client)
  app.setState({ timeline: applyBatch(EMPTY_TIMELINE, { events: rec.of(sid), dropped: 0 }) })
  const stores = { app: { ...app, getInitialState: () => app.getState() }, clock: createLiveClock() }
  const columns: readonly ColumnId[] = ['name']
  const html = renderToStaticMarkup(
    createElement(
      StoresContext.Provider,
      { value: stores },
      createElement(TimelineRow, { sid, index: 0, top: 0, columns }),
    ),
  )
  const part = (cls: string): string =>
    new RegExp(`<span class="${cls}[^"]*">([^<]*)</span>`).exec(html)?.[1] ?? '(none)'
  return { name: part('path'), where: part('host') }
}
