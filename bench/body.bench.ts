import { createEngineService } from '../src/engine/service'
import { startHttpServer } from '../test/fixtures/servers'

/**
 * A 2 GB response through the engine: it must spill to a temp file, not to the heap. Reports the time, the
 * throughput and the process's peak RSS while it downloads (server and client share this process).
 */
const SIZE = Number(process.env.BENCH_BODY_BYTES ?? 2 * 1024 ** 3)

export async function benchBody(): Promise<Record<string, number>> {
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
