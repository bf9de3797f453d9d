import { createEngineService } from '../src/engine/service'
import { measureInChild, startDeepServer, type DeepReport } from '../test/catalogue/deep-json-bodies'
import { startHttpServer } from '../test/fixtures/servers'

/**
 * A 2 GB response through the engine: it must spill to a temp file, not to the heap. Reports the time, the
 * throughput and the process's peak RSS while it downloads (server and client share this process).
 */
const SIZE = Number(process.env.BENCH_BODY_BYTES ?? 2 * 1024 ** 3)

export async function benchBody(): Promise<Record<string, number>> {
  return { ...(await benchDownload()), ...(await benchDeepJson()) }
}

async function benchDownload(): Promise<Record<string, number>> {
  const server = await startHttpServer()
  const service = createEngineService({ host: 'test' })
  let peak = process.memoryUsage().rss
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  try {
    const start = performance.now()
    const sent = await service.invoke('http.send', {
      request: {
        method: 'GET',
        url: `${server.url}/bytes?n=${SIZE}`,
        headers: [],
        body: { kind: 'none' },
        options: {},
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const result = await service.http.waitFor(sent.value.sids[0] as string)
    const seconds = (performance.now() - start) / 1000
    if (result.final.type !== 'done' || result.final.body.size !== SIZE)
      throw new Error(`2 GB body failed: ${result.final.type}`)
    const peakMb = Math.round(peak / 1e6)
    const mbps = Math.round(SIZE / 1e6 / seconds)
    console.log(
      `body: ${(SIZE / 1024 ** 3).toFixed(1)} GiB in ${seconds.toFixed(1)} s (${mbps} MB/s), on disk: ${result.final.body.onDisk}`,
    )
    console.log(`  peak RSS while downloading: ${peakMb} MB`)
    return { 'http.body_2gb_seconds': Math.round(seconds * 10) / 10, 'http.body_2gb_peak_rss_mb': peakMb }
  } finally {
    clearInterval(sampler)
    await service.dispose()
    await server.close()
  }
}

const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10

/**
 * Deeply nested JSON opened in the pretty view, in a child engine process (test/catalogue/deep-json-bodies.ts):
 * 2 MB nested 1,000,000 deep (`[[[…]]]`) and 100 MB nested 10,000 deep (5,000 such chains side by side). Heap
 * is the V8 heap plus array buffers after a full GC, over what it was before opening (the index the engine
 * keeps); peak is the highest sampled while opening (garbage included). The target is at most 3x the body.
 */
export async function benchDeepJson(): Promise<Record<string, number>> {
  const server = await startDeepServer()
  try {
    const got = await measureInChild(
      server,
      [
        { shape: 'arrays', depth: 1_000_000, bytes: 0 },
        { shape: 'wide-deep', depth: 10_000, bytes: 100_000_000 },
      ],
      { rssLimitMb: 2000, timeoutMs: 300_000 },
    )
    if (got.killed !== null) throw new Error(`deep JSON: ${got.killed}`)
    const [small, big] = got.reports as [DeepReport, DeepReport]
    for (const [label, r] of [
      ['2 MB, 1,000,000 deep', small],
      ['100 MB, 10,000 deep', big],
    ] as const) {
      console.log(
        `deep JSON ${label}: ${r.lines.toLocaleString('en-US')} lines in ${r.openMs} ms; heap +${mb(r.retainedBytes)} MB kept, +${mb(r.peakBytes)} MB peak (${(r.retainedBytes / r.size).toFixed(2)}x / ${(r.peakBytes / r.size).toFixed(2)}x the body)`,
      )
    }
    return {
      'body.deep_json_2mb_heap_mb': mb(small.retainedBytes),
      'body.deep_json_2mb_peak_mb': mb(small.peakBytes),
      'body.deep_json_2mb_open_ms': small.openMs,
      'body.deep_json_100mb_heap_mb': mb(big.retainedBytes),
      'body.deep_json_100mb_peak_mb': mb(big.peakBytes),
      'body.deep_json_100mb_open_ms': big.openMs,
    }
  } finally {
    await server.close()
  }
}
