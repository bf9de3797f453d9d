import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EnvironmentSwitcher } from '../../src/renderer/environments/EnvironmentSwitcher'
import { RunnerPanel } from '../../src/renderer/runner/RunnerPanel'
import { renderOverStore } from './render-over-store'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Names a person reads in the toolbar and the runner, over a real engine and collections on disk: two open
 * collections of one name are told apart in the toolbar as in the sidebar (their folders' ends), and the runner's
 * Data file box, which draws a zero-width space as nothing, has the name said again with it as its escape.
 */

let engine: TestEngine
let work: string

beforeAll(() => {
  engine = startEngine()
  work = mkdtempSync(join(tmpdir(), 'fd-names-'))
})

afterAll(async () => {
  await stopEngines()
  rmSync(work, { recursive: true, force: true })
})

function shop(...parts: string[]): string {
  const dir = join(work, ...parts)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shop\n')
  writeFileSync(join(dir, 'ping.yaml'), 'name: Ping\nmethod: GET\nurl: http://127.0.0.1:9/ping\n')
  return dir
}

/** The page's text, tags left out. */
const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'")

describe('the toolbar and the runner', () => {
  it("the toolbar's collection name shows its folder's end when another open collection has that name", async () => {
    const store = engine.store()
    const june = shop('june', 'shop')
    const july = shop('july', 'shop')
    await openCollection(store, june)
    await openCollection(store, july)
    for (const [dir, folder] of [
      [june, 'june/shop'],
      [july, 'july/shop'],
    ] as const) {
      store.getState().setActiveDir(dir)
      const html = renderOverStore(store, createElement(EnvironmentSwitcher))
      expect(html).toMatch(new RegExp(`class="collection-label-twin">${folder}<`))
      expect(text(html)).toContain(`Shop${folder}`)
    }
    const alone = engine.store()
    await openCollection(alone, shop('august', 'shop'))
    expect(renderOverStore(alone, createElement(EnvironmentSwitcher))).not.toContain('collection-label-twin')
  })

  it("the runner's Data file name is said again with a zero-width space as its escape, a line break as ⏎", async () => {
    const store = engine.store()
    const dir = shop('rows')
    await openCollection(store, dir)
    store.getState().openRunner(dir, '', 'Shop')
    const panel = (): string => renderOverStore(store, createElement(RunnerPanel))
    expect(panel()).not.toContain('field-warning')
    store.getState().setRunConfig({ dataFile: 'rows\u200b.csv' })
    const html = panel()
    expect(html).toMatch(
      /rows<span class="bidi-control" title="U\+200B ZERO WIDTH SPACE[^"]*">\\u200b<\/span>\.csv/,
    )
    expect(text(html)).toContain(
      "The data file's name holds a bidirectional control or a character drawn as nothing",
    )
    store.getState().setRunConfig({ dataFile: 'rows\u2028.csv' })
    expect(text(panel())).toContain(
      "The data file's name holds a line break, which the box shows other than it is: rows ⏎ .csv",
    )
  })
})
