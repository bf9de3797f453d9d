import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptySavedRequest } from '../src/shared/collection'
import { COLLECTION_KEYS, REQUEST_KEYS } from '../src/engine/collections/collection-file-format'
import { collectionPlain, requestPlain } from '../src/engine/collections/collection-file-write'
import { loadCollection, ParseCache } from '../src/engine/collections/loader'
import { renderYaml } from '../src/engine/collections/yaml-doc'
import { treeDelta } from '../src/shared/collection-delta'

/**
 * Opening a big collection: 5,000 request files (headers, a JSON body, auth) in 50 folders, loaded cold (no
 * parse cache) three times; the median is `collections.load_5000_ms` (target ≤ 250 ms). Then seven rescans, each
 * after one file was edited, as the watcher triggers them; their median is `collections.rescan_5000_ms` (≤ 50), and
 * the tree change each publishes (the changed folders, shared/collection-delta.ts) `collections.rescan_5000_event_bytes`.
 */
const COUNT = 5000
const FOLDERS = 50
/** Rescans timed, each after a different file was edited. */
const RESCANS = 7

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

export async function benchCollections(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-bench-coll-'))
  try {
    writeFileSync(
      join(dir, 'collection.yaml'),
      renderYaml(
        collectionPlain({ name: 'Bench', variables: [], auth: { type: 'inherit' }, order: [] }),
        null,
        COLLECTION_KEYS,
      ),
    )
    for (let f = 0; f < FOLDERS; f++) mkdirSync(join(dir, `folder-${f}`))
    for (let i = 0; i < COUNT; i++) {
      const req = {
        ...emptySavedRequest(`Request ${i}`),
        method: i % 3 === 0 ? 'POST' : 'GET',
        url: `{{baseUrl}}/items/${i}?page={{page}}`,
        headers: [
          { name: 'Accept', value: 'application/json', enabled: true },
          { name: 'X-Request-Id', value: '{{$uuid}}', enabled: true },
        ],
        body:
          i % 3 === 0
            ? { kind: 'json' as const, text: `{\n  "id": ${i},\n  "name": "item ${i}"\n}\n` }
            : { kind: 'none' as const },
        auth: { type: 'bearer' as const, token: '{{token}}' },
      }
      writeFileSync(
        join(dir, `folder-${i % FOLDERS}`, `request-${i}.yaml`),
        renderYaml(requestPlain(req), null, REQUEST_KEYS),
      )
    }
    const times: number[] = []
    const cpu: number[] = []
    const cpuMs = (since: NodeJS.CpuUsage): number => {
      const u = process.cpuUsage(since)
      return (u.user + u.system) / 1000
    }
    for (let round = 0; round < 3; round++) {
      const start = performance.now()
      const before = process.cpuUsage()
      const { info } = await loadCollection(dir, new ParseCache())
      times.push(performance.now() - start)
      cpu.push(cpuMs(before))
      if (info.requestCount !== COUNT || info.problems.length > 0) {
        throw new Error(`loaded ${info.requestCount} requests with ${info.problems.length} problems`)
      }
    }
    // And a rescan after one external edit, which is what the watcher does: RESCANS of them (a different file
    // each time), medians, since one ~50 ms figure moves by half with a GC or the machine's load.
    const cache = new ParseCache()
    let shown = (await loadCollection(dir, cache)).info.root
    const rescans: number[] = []
    const rescansCpu: number[] = []
    const eventBytes: number[] = []
    for (let i = 0; i < RESCANS; i++) {
      writeFileSync(
        join(dir, `folder-${i % FOLDERS}`, `request-${i}.yaml`),
        `name: Edited ${i}\nurl: http://127.0.0.1/\n`,
      )
      const t0 = performance.now()
      const c0 = process.cpuUsage()
      const { info } = await loadCollection(dir, cache)
      rescans.push(performance.now() - t0)
      rescansCpu.push(cpuMs(c0))
      if (info.requestCount !== COUNT) throw new Error(`the rescan found ${info.requestCount} requests`)
      eventBytes.push(Buffer.byteLength(JSON.stringify(treeDelta(shown, info.root))))
      shown = info.root
    }
    const rescan = middle(rescans)
    const rescanCpu = middle(rescansCpu)
    times.sort((a, b) => a - b)
    cpu.sort((a, b) => a - b)
    const median = times[1] ?? NaN
    const medianCpu = cpu[1] ?? NaN
    console.log(
      `load ${COUNT} requests: ${times.map((t) => t.toFixed(0)).join(' / ')} ms (median ${median.toFixed(0)} ms)`,
    )
    console.log(
      `  CPU (user + system; a busy machine moves it less): load ${medianCpu.toFixed(0)} ms, rescan ${rescanCpu.toFixed(0)} ms (load average ${loadavg()[0]?.toFixed(1)})`,
    )
    console.log(
      `rescan after one edit: ${rescan.toFixed(0)} ms (median of ${RESCANS}: ${rescans.map((t) => t.toFixed(0)).join(' / ')}); its tree change ${middle(eventBytes)} bytes`,
    )
    return {
      'collections.load_5000_ms': Math.round(median),
      'collections.rescan_5000_ms': Math.round(rescan),
      'collections.load_5000_cpu_ms': Math.round(medianCpu),
      'collections.rescan_5000_cpu_ms': Math.round(rescanCpu),
      'collections.rescan_5000_event_bytes': middle(eventBytes),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
