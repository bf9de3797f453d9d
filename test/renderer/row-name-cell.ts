import { createElement } from 'react'
import type { EngineService } from '../../src/engine/service'
import type { ColumnId } from '../../src/renderer/timeline/columns'
import { applyBatch, EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { TimelineRow } from '../../src/renderer/timeline/TimelineRow'
import { createAppStore } from '../../src/renderer/store/app-store'
import type { Recorder } from '../engine/stream-helpers'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/** A session's timeline row name cell as the page draws it from the events recorded: its two parts' text. */
export function nameCell(
  service: EngineService,
  rec: Recorder,
  sid: string,
): { name: string; where: string } {
  const html = rowHtml(service, rec, sid, ['name'])
  const part = (cls: string): string =>
    new RegExp(`<span class="${cls}[^"]*">([^<]*)</span>`).exec(html)?.[1] ?? '(none)'
  return { name: part('path'), where: part('host') }
}

/**
 * A session's status cell as the page draws it: the text a person reads, its hover, its colour class, and the
 * row's accessible name (what a screen reader says, and what tests find the row by).
 */
export function statusCell(
  service: EngineService,
  rec: Recorder,
  sid: string,
): { text: string; title: string; colour: string; label: string } {
  const html = rowHtml(service, rec, sid, ['status'])
  const cell = /<div role="gridcell" class="c-status ([^"]*)"(?: title="([^"]*)")?>(.*?)<\/div>/.exec(html)
  const unescape = (s: string): string =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  return {
    text: unescape((cell?.[3] ?? '').replace(/<[^>]*>/g, '')),
    title: unescape(cell?.[2] ?? ''),
    colour: cell?.[1] ?? '',
    label: unescape(/aria-label="([^"]*)"/.exec(html)?.[1] ?? ''),
  }
}

function rowHtml(service: EngineService, rec: Recorder, sid: string, columns: readonly ColumnId[]): string {
  service.flush()
  const app = createAppStore(fakeClient().client)
  app.setState({ timeline: applyBatch(EMPTY_TIMELINE, { events: rec.of(sid), dropped: 0 }) })
  return renderOverStore(app, createElement(TimelineRow, { sid, index: 0, top: 0, columns }))
}
