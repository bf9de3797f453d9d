import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { Toolbar } from '../../src/renderer/app/Toolbar'
import { RunProgress } from '../../src/renderer/runner/RunnerPanel'
import { RunnerReturn } from '../../src/renderer/runner/RunnerReturn'
import { CollectionTree } from '../../src/renderer/sidebar/CollectionTree'
import type { CollectionInfo } from '../../src/shared/collection'
import { createAppStore } from '../../src/renderer/store/app-store'
import { EMPTY_TIMELINE } from '../../src/renderer/timeline/apply-batch'
import { fakeClient } from './fake-client'
import { renderOverStore } from './render-over-store'

/**
 * The toolbar's, the runner's and the sidebar's counts read as one line: every figure past 999 grouped as "1,234" is (the toolbar
 * said "20000 requests · 1,234 older released", one grouped and the next not).
 */

const text = (html: string): string => html.replace(/<[^>]+>/g, '')

describe('counts past 999', () => {
  it("are all digit-grouped in the toolbar's line", () => {
    const store = createAppStore(fakeClient().client)
    const order = Array.from({ length: 20_000 }, (_, i) => `s${i}`)
    store.setState({
      timeline: {
        ...EMPTY_TIMELINE,
        order,
        inFlight: 1_500,
        jobsRunning: 1_001,
        dropped: 23_456,
        released: 1_234,
      },
    })
    const words = text(renderOverStore(store, createElement(Toolbar)))
    expect(words).toContain(
      '20,000 requests · 1,500 in flight · 1,001 jobs polling · 23,456 updates dropped · 1,234 older released',
    )
  })

  it("are all digit-grouped in a run's progress and the toolbar's way back to it", () => {
    const store = createAppStore(fakeClient().client)
    store.setState({
      runConfig: {
        dir: '/c',
        path: '',
        label: 'Shop',
        env: '',
        concurrency: 10,
        iterations: 2_000,
        pacing: 'none',
        delayMs: 0,
        ratePerSecond: 1,
        dataFile: '',
        bail: false,
      },
      run: {
        runId: 'r1',
        total: 12_000,
        done: 4_500,
        passed: 3_000,
        failed: 1_500,
        cancelled: 1_200,
        requests: [],
        finished: null,
        cancelling: false,
      },
    })
    const progress = text(
      renderOverStore(store, createElement(RunProgress, { settingsOpen: false, onSettings: () => {} })),
    )
    expect(progress).toContain('4,500 / 12,000')
    expect(progress).toContain('3,000 passed')
    expect(progress).toContain('1,500 failed (1,200 cancelled)')
    const back = text(renderOverStore(store, createElement(RunnerReturn)))
    expect(back).toContain('Run Shop: running 4,500/12,000, 1,500 failed')
  })

  it("are digit-grouped in the sidebar's count of a collection's requests", () => {
    const store = createAppStore(fakeClient().client)
    const collection = {
      dir: '/c',
      name: 'Imported API',
      variables: [],
      auth: { type: 'inherit' },
      root: { type: 'folder', path: '', name: '', variables: [], auth: { type: 'inherit' }, children: [] },
      environments: [],
      problems: [],
      requestCount: 10_000,
    } as unknown as CollectionInfo
    store.setState({ collections: [collection], activeDir: '/c' })
    const html = renderOverStore(store, createElement(CollectionTree, { collection }))
    expect(html).toContain('>10,000</span>')
  })
})
