import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sharedBodyBytes } from '../../src/engine/http/body-store'
import { createEngineService } from '../../src/engine/service'
import { sharedPool } from '../../src/engine/workers/pool'
import type { DeepReport, DeepShape } from './deep-json-bodies'

/**
 * The engine side of the deep JSON measurement (deep-json-bodies.ts starts it): fetch each body through the
 * engine, open it in the pretty view as the viewer does (first page, then the last page once indexed, a search),
 * and report the heap it took: this thread's and its worker pool's (where the index lives). Run with --expose-gc.
 */

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined)

/**
 * This thread's heap and buffers (bodies in shared memory too, which V8 leaves out of `external`), and the
 * workers' as they last reported it (between chunks of work).
 */
function heap(): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.external + sharedBodyBytes() + sharedPool().memory().current
}

async function settle(): Promise<number> {
  gc()
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.external + sharedBodyBytes() + (await sharedPool().measureMemory(true))
}

async function main(): Promise<void> {
  const arg = JSON.parse(process.argv[2] ?? '{}') as { urls: string[]; shapes: DeepShape[]; needle: string }
  const dir = mkdtempSync(join(tmpdir(), 'flightdeck-deep-'))
  const service = createEngineService({
    host: 'test',
    configDir: join(dir, 'config'),
    persistWorkspace: false,
    watchCollections: false,
  })
  const reports: DeepReport[] = []
  // Start the worker before the first baseline, so what it costs to exist is not counted as the index's.
  await sharedPool().run('worker.memory', { collect: false })
  try {
    for (const [i, url] of arg.urls.entries()) {
      const idle = await settle()
      let downloadPeak = idle
      const watch = setInterval(() => (downloadPeak = Math.max(downloadPeak, heap())), 2)
      const sent = await service.invoke('http.send', {
        request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
      })
      if (!sent.ok) throw new Error(sent.error.message)
      const done = await service.http.waitFor(sent.value.sids[0] ?? '')
      clearInterval(watch)
      if (done.final.type !== 'done') throw new Error(`the request ended ${done.final.type}`)
      const bodyId = done.final.body.id
      const before = await settle()
      let peak = before
      const sample = setInterval(() => (peak = Math.max(peak, heap())), 2)
      const t0 = performance.now()
      const first = await service.invoke('body.lines', { bodyId, view: 'pretty', from: 0, count: 200 })
      if (!first.ok) throw new Error(first.error.message)
      // Past the end: answers once the whole body is indexed.
      const all = await service.invoke('body.lines', { bodyId, view: 'pretty', from: 2 ** 40, count: 1 })
      if (!all.ok) throw new Error(all.error.message)
      const total = all.value.total
      const last = await service.invoke('body.lines', {
        bodyId,
        view: 'pretty',
        from: Math.max(0, total - 200),
        count: 200,
      })
      if (!last.ok) throw new Error(last.error.message)
      const top = await service.invoke('body.lines', { bodyId, view: 'pretty', from: 0, count: 200 })
      if (!top.ok) throw new Error(top.error.message)
      const openMs = performance.now() - t0
      let searchLine = -1
      if (arg.needle !== '') {
        const found = await service.invoke('body.search', { bodyId, view: 'pretty', query: arg.needle })
        if (found.ok) searchLine = found.value.matches[0]?.line ?? -1
      }
      peak = Math.max(peak, heap())
      clearInterval(sample)
      const after = await settle()
      reports.push({
        shape: arg.shapes[i] ?? 'arrays',
        size: done.final.body.size,
        lines: total,
        deepest: top.value.indentCap?.deepest ?? 0,
        downloadPeakBytes: downloadPeak - idle,
        retainedBytes: after - before,
        peakBytes: peak - before,
        openMs: Math.round(openMs),
        firstClose: top.value.closes[0] ?? -1,
        lastLine: (last.value.lines[last.value.lines.length - 1] ?? '').trim(),
        invalid: all.value.invalid?.message ?? null,
        indentCap: top.value.indentCap ?? null,
        searchLine,
      })
    }
  } finally {
    await service.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
  process.stdout.write(`${JSON.stringify({ reports })}\n`)
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  },
)
