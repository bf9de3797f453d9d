import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { median } from '../../bench/paired'
import { loadCollection, ParseCache } from '../../src/engine/collections/loader'

/**
 * The rescan after an external edit (what the watcher runs) costs about what looking at each file costs: the
 * unchanged files of a 5,000-request collection come from the parse cache after one stat each. Measured in CPU
 * time (the machine may be busy; waiting does not count) against a bare loop that stats the same files, so a
 * slower machine moves both alike. Through the thread pool (four round trips per file) a rescan cost 8-9 times the
 * bare loop; read synchronously in slices, 2-3.5 times.
 */

const COUNT = 5000
const FOLDERS = 50

function cpuMs<T>(f: () => T): [T, number] {
  const before = process.cpuUsage()
  const r = f()
  const used = process.cpuUsage(before)
  return [r, (used.user + used.system) / 1000]
}

async function cpuMsAsync(f: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage()
  await f()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

describe('rescanning a big collection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-rescan-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('costs about one stat per unchanged file and re-reads only the edited one', async () => {
    writeFileSync(join(dir, 'collection.yaml'), 'name: Big\n')
    for (let f = 0; f < FOLDERS; f++) mkdirSync(join(dir, `folder-${f}`))
    for (let i = 0; i < COUNT; i++)
      writeFileSync(
        join(dir, `folder-${i % FOLDERS}`, `request-${i}.yaml`),
        `name: Request ${i}\nmethod: GET\nurl: http://127.0.0.1/items/${i}\nheaders:\n  - name: Accept\n    value: application/json\n`,
      )
    const cache = new ParseCache()
    const first = await loadCollection(dir, cache)
    expect(first.info.requestCount).toBe(COUNT)

    const bare = (): number => {
      let n = 0
      for (const folder of readdirSync(dir, { withFileTypes: true }))
        if (folder.isDirectory())
          for (const name of readdirSync(join(dir, folder.name))) {
            statSync(join(dir, folder.name, name))
            n++
          }
      return n
    }
    const bareMs: number[] = []
    const rescanMs: number[] = []
    for (let round = 0; round < 7; round++) {
      const [n, ms] = cpuMs(bare)
      expect(n).toBe(COUNT)
      bareMs.push(ms)
      writeFileSync(
        join(dir, 'folder-0', 'request-0.yaml'),
        `name: Edited ${round}\nurl: http://127.0.0.1/\n`,
      )
      rescanMs.push(await cpuMsAsync(() => loadCollection(dir, cache)))
      expect(cache.changed).toEqual(['folder-0/request-0.yaml'])
    }
    const ratio = median(rescanMs) / median(bareMs)
    expect(
      ratio,
      `rescan ${median(rescanMs).toFixed(1)} ms of CPU, bare stats ${median(bareMs).toFixed(1)} ms`,
    ).toBeLessThan(5)
  }, 60_000)
})
