import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_SCAN_PER_READ } from '../../src/engine/streams/stream-log-filter'
import type { StreamLog } from '../../src/engine/streams/stream-log'
import { StreamLogStore } from '../../src/engine/streams/stream-log-store'
import type { StreamFilter, StreamPage } from '../../src/shared/streams'
import { IN_PROCESS_CASE_TIMEOUT_MS, withinCpu } from '../helpers/cpu-bound'

/**
 * A filtered read of a long log stops at 250,000 entries (DEFAULT_SCAN_PER_READ, the store's default), and says so:
 * `complete: false`, how far it got (`scanned`) and only the matches up to there; the next read goes on from
 * there and the last one ends at the log's end with every match. This is the read the `stream.read` command
 * makes (readSliced). The log holds two caps' worth and one more, its bytes spilled to its temp file past a
 * small memory share, so the test holds a few MB; it is bounded by its CPU time, not the wall clock.
 *
 * A read also stops after 250 ms of scanning (wall time, in 8 ms slices): a direction filter costs a few ns an
 * entry (the cap's worth is a few ms of CPU), so only a machine that keeps this process off its cores for most
 * of 250 ms cuts a read short by time (a loaded one did, at load 30, on a second read). Such a read is told
 * apart (it scanned less than the cap) and the first read is asked of a new scan again.
 */

/** The cap docs/streams.md states; the engine's own constant is checked against it. */
const CAP = 250_000
const ENTRIES = 2 * CAP + 1
/** Every tenth message is one this process sent: the filter's matches. */
const isMatch = (i: number): boolean => i % 10 === 0
const MEMORY = 4 * 1024 * 1024
/** Scans of the whole log made before the test gives up on seeing the cap cut a read (see above). */
const ATTEMPTS = 5

const dir = mkdtempSync(join(tmpdir(), 'fd-scan-cap-'))
const store = new StreamLogStore({ tempDir: dir, memoryPerLog: MEMORY, totalMemory: MEMORY })
afterAll(() => {
  store.dispose()
  rmSync(dir, { recursive: true, force: true })
})

function fill(log: StreamLog): void {
  for (let i = 0; i < ENTRIES; i++)
    log.append({ t: i, dir: isMatch(i) ? 'out' : 'in', kind: 'text', data: Buffer.from(`message ${i}`) })
}

/** Reads with `filter` until the scan is complete (a bounded number of reads): every page on the way. */
async function scanAll(log: StreamLog, filter: StreamFilter): Promise<StreamPage[]> {
  const pages: StreamPage[] = []
  for (let n = 0; n < 100; n++) {
    const page = await log.readSliced(0, 1_000_000, 64, filter)
    pages.push(page)
    if (page.complete) return pages
  }
  throw new Error(`the scan was not complete after ${pages.length} reads`)
}

const matchesBelow = (n: number): number => Math.ceil(n / 10)

describe('a filtered read stops at 250,000 entries, loudly', () => {
  it(
    'says how far it scanned, gives the matches up to there, and the next reads go on to the end',
    async () => {
      expect(DEFAULT_SCAN_PER_READ).toBe(CAP)
      const log = store.create('scan-cap')
      await withinCpu(
        'filling the log and scanning it',
        Promise.resolve().then(() => fill(log)),
      )
      expect(log.entries).toBe(ENTRIES)
      expect(log.onDisk).toBe(true)
      expect(log.memoryInUse()).toBeLessThanOrEqual(MEMORY)

      let capped: StreamPage[] | null = null
      for (let attempt = 0; attempt < ATTEMPTS && !capped; attempt++) {
        // A filter not asked before starts a scan of its own from the log's first entry.
        const filter: StreamFilter = attempt % 2 ? { dir: 'out', kinds: ['text'] } : { dir: 'out' }
        const pages = await withinCpu('scanning the log', scanAll(log, filter))
        let before = 0
        for (const page of pages) {
          const scanned = page.scanned ?? -1
          // No read scans more than the cap; each page's matches are exactly those in the entries it scanned.
          expect(scanned - before).toBeGreaterThan(0)
          expect(scanned - before).toBeLessThanOrEqual(CAP)
          expect(page.total).toBe(matchesBelow(scanned))
          expect(page.complete).toBe(scanned === ENTRIES)
          before = scanned
        }
        const last = pages[pages.length - 1]
        expect(last).toMatchObject({ complete: true, scanned: ENTRIES, total: matchesBelow(ENTRIES) })
        if (pages[0]?.scanned === CAP) capped = pages
      }
      if (!capped) throw new Error(`every one of ${ATTEMPTS} scans was cut short by time before the cap`)

      // What a person's first read says: stopped at the cap, its matches all before it, the rest still to scan.
      const first = capped[0]
      expect(first).toMatchObject({ complete: false, scanned: CAP, total: CAP / 10, dropped: 0 })
      expect(first?.entries).toHaveLength(CAP / 10)
      expect(first?.entries[0]).toMatchObject({ seq: 0, dir: 'out', data: 'message 0' })
      expect(first?.entries.at(-1)).toMatchObject({ seq: CAP - 10, dir: 'out', data: `message ${CAP - 10}` })
      // The last read has found every match, up to the log's last entry.
      expect(capped.at(-1)?.entries.at(-1)).toMatchObject({ seq: 2 * CAP, data: `message ${2 * CAP}` })
    },
    IN_PROCESS_CASE_TIMEOUT_MS,
  )
})
