import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadCollection, ParseCache } from '../../src/engine/collections/loader'
import { FILES_PER_CLOCK_LOOK, SLICE_MS } from '../../src/engine/collections/scan-slicer'

/**
 * Opening a big collection reads its files synchronously, in slices: the engine's thread answers other work
 * (a request's events, the UI's calls) between them. The slicer looks at the clock only every few files, so this
 * holds that a load, cold or a rescan, still gives the event loop its turns, and that every file still loads.
 */

const COUNT = 3000

/**
 * Samples `progress()` on every turn of the event loop (a setImmediate chain) until stopped, and gives the distinct
 * values seen strictly between none and all: a load that read its files in one go, holding the thread, shows none.
 * Bounded in count.
 */
function sampleTurns(progress: () => number, all: number): { stop: () => number[] } {
  const seen = new Set<number>()
  let turns = 0
  let running = true
  const next = (): void => {
    if (!running || turns >= 200_000) return
    turns++
    const p = progress()
    if (p > 0 && p < all) seen.add(p)
    setImmediate(next)
  }
  setImmediate(next)
  return {
    stop: () => {
      running = false
      return [...seen]
    },
  }
}

/** CPU time (user + system) of `f`, which a busy machine moves less than wall time. */
async function withCpuMs<T>(f: () => Promise<T>): Promise<[T, number]> {
  const before = process.cpuUsage()
  const r = await f()
  const used = process.cpuUsage(before)
  return [r, (used.user + used.system) / 1000]
}

describe('loading a big collection in slices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-load-slices-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('gives the event loop turns while it reads, cold and on a rescan, and loads every file', async () => {
    writeFileSync(join(dir, 'collection.yaml'), 'name: Big\n')
    // All in one folder: listing it is one wait, so the turns counted are the reading's own.
    for (let i = 0; i < COUNT; i++)
      writeFileSync(
        join(dir, `request-${i}.yaml`),
        `name: Request ${i}\nmethod: GET\nurl: http://127.0.0.1/items/${i}\nheaders:\n  - name: Accept\n    value: application/json\n`,
      )
    expect(COUNT).toBeGreaterThan(FILES_PER_CLOCK_LOOK * 10)

    const cache = new ParseCache()
    const cold = sampleTurns(() => cache.entries.size, COUNT + 1)
    const [loaded, coldCpu] = await withCpuMs(() => loadCollection(dir, cache))
    const coldMidway = cold.stop()
    expect(loaded.info.requestCount).toBe(COUNT)
    expect(loaded.info.problems).toEqual([])
    // Reading 3,000 files takes several slices: the loop turned between them, with part of the files read.
    if (coldCpu > 4 * SLICE_MS) expect(coldMidway.length).toBeGreaterThan(1)

    writeFileSync(join(dir, 'request-0.yaml'), 'name: Edited\nurl: http://127.0.0.1/\n')
    // A rescan marks each file it looked at with its own number.
    const scan = cache.scan + 1
    const again = sampleTurns(() => {
      let looked = 0
      for (const entry of cache.entries.values()) if (entry.scan === scan) looked++
      return looked
    }, COUNT + 1)
    const [rescanned, rescanCpu] = await withCpuMs(() => loadCollection(dir, cache))
    const rescanMidway = again.stop()
    expect(rescanned.info.requestCount).toBe(COUNT)
    expect(cache.changed).toEqual(['request-0.yaml'])
    if (rescanCpu > 4 * SLICE_MS) expect(rescanMidway.length).toBeGreaterThan(1)
  }, 60_000)

  it('loads a collection smaller than one look at the clock', async () => {
    const small = join(dir, 'small')
    mkdirSync(small)
    writeFileSync(join(small, 'collection.yaml'), 'name: Small\n')
    for (let i = 0; i < FILES_PER_CLOCK_LOOK - 1; i++)
      writeFileSync(join(small, `r-${i}.yaml`), `name: R ${i}\nurl: http://127.0.0.1/${i}\n`)
    const { info } = await loadCollection(small, new ParseCache())
    expect(info.requestCount).toBe(FILES_PER_CLOCK_LOOK - 1)
  })
})
