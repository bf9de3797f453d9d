import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { twinFolders } from '../../src/renderer/sidebar/collection-twins'
import { Sidebar } from '../../src/renderer/sidebar/Sidebar'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Two imports of one name (Chrome names every HAR "HAR from WebInspector") are two sidebar collections a person
 * tells apart by their folders, as VS Code shows two workspace folders of one name (over a real engine).
 */

/** A HAR as Chrome's DevTools saves one: every such file is named "HAR from WebInspector". */
const har = JSON.stringify({
  log: {
    version: '1.2',
    creator: { name: 'WebInspector', version: '537.36' },
    pages: [],
    entries: [
      {
        startedDateTime: '2026-12-06T10:00:00.000Z',
        time: 12,
        request: {
          method: 'GET',
          url: 'http://127.0.0.1:8080/api/me',
          httpVersion: 'http/1.1',
          headers: [{ name: 'Accept', value: 'application/json' }],
          queryString: [],
          cookies: [],
          headersSize: -1,
          bodySize: 0,
        },
        response: {
          status: 200,
          statusText: 'OK',
          httpVersion: 'http/1.1',
          headers: [],
          cookies: [],
          content: { size: 2, mimeType: 'application/json', text: '{}' },
          redirectURL: '',
          headersSize: -1,
          bodySize: 2,
        },
        cache: {},
        timings: { send: 1, wait: 10, receive: 1 },
      },
    ],
  },
})
let engine: TestEngine
let work: string

beforeAll(() => {
  engine = startEngine()
  work = mkdtempSync(join(tmpdir(), 'fd-twins-'))
})
afterAll(async () => {
  await stopEngines()
  rmSync(work, { recursive: true, force: true })
})

describe('collections of one name', () => {
  it('each shows the part of its folder no other one ends with, and its region is named with it', async () => {
    const store = engine.store()
    const into = (...parts: string[]): string => {
      const dir = join(work, ...parts)
      mkdirSync(dir, { recursive: true })
      return dir
    }
    expect(await store.getState().runImport(har, false, 'har', into('june', 'login'))).toBe(true)
    expect(await store.getState().runImport(har, false, 'har', into('july', 'login'))).toBe(true)
    expect(await store.getState().runImport(har, false, 'har', into('checkout'))).toBe(true)
    const open = store.getState().collections
    expect(open.map((c) => [c.name, c.requestCount])).toEqual(Array(3).fill(['HAR from WebInspector', 1]))

    const html = renderOverStore(store, createElement(Sidebar))
    const shown = [...html.matchAll(/<span class="muted small collection-twin"[^>]*>(.*?)<\/span>/g)]
      .map((m) => m[1]?.replace(/<[^>]+>/g, ''))
      .sort()
    expect(shown).toEqual(['checkout', 'july/login', 'june/login'])
    // Each collection's region is named apart, so a screen reader can tell them apart as well.
    expect(html).toContain('aria-label="HAR from WebInspector (june/login)"')
    expect(html).toContain('aria-label="HAR from WebInspector (july/login)"')
  })

  it('takes the fewest trailing segments that differ; a unique name gets nothing', () => {
    const got = twinFolders([
      { name: 'API', dir: '/home/a/work/api' },
      { name: 'API', dir: '/home/a/play/api' },
      { name: 'Shop', dir: '/home/a/shop' },
      { name: 'HAR', dir: 'C:\\Users\\a\\cart' },
      { name: 'HAR', dir: '/home/a/login' },
      { name: 'Deep', dir: '/srv/x/api' },
      { name: 'Deep', dir: '/x/api' },
    ])
    expect(Object.fromEntries(got)).toEqual({
      '/home/a/work/api': 'work/api',
      '/home/a/play/api': 'play/api',
      'C:\\Users\\a\\cart': 'cart',
      '/home/a/login': 'login',
      '/srv/x/api': '/srv/x/api',
      '/x/api': '/x/api',
    })
  })
})
