import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { runImport } from '../src/engine/importers/index'
import { createEngineService } from '../src/engine/service'

/**
 * The engine's thread while heavy work runs, all at once: a 100 MB JSON body indexed for the pretty view to its
 * last line, a 3 MB OpenAPI spec imported (parsed, validated, planned, written) and 1,000 requests in flight.
 * Reports the p99 (and max) of that thread's event-loop delay (perf_hooks.monitorEventLoopDelay) over the
 * whole time: what a window waiting on the engine would feel. Target: p99 at most 20 ms.
 */

const IN_FLIGHT = Number(process.env.BENCH_LOOP_REQUESTS ?? 1000)

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [new URL('./loop-delay-server.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const port = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', () => reject(new Error('bench server exited')))
  })
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') }
}

/**
 * An OpenAPI 3 document of about `bytes`, shaped like a large public API's: a few hundred operations whose
 * request and response schemas are wide and documented (nested objects, arrays, enums), all by `$ref`.
 */
export function openApiSpec(bytes: number): string {
  const paths: Record<string, unknown> = {}
  const schemas: Record<string, unknown> = {}
  const doc = { openapi: '3.0.3', info: { title: 'Bench', version: '1' }, paths, components: { schemas } }
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const properties: Record<string, unknown> = {}
    for (let p = 0; p < 40; p++) {
      const description = `Field ${p} of thing ${i}: what it holds, when it is set and how it relates to the others.`
      properties[`field${p}`] =
        p % 5 === 0
          ? { type: 'array', description, items: { $ref: `#/components/schemas/Part${i % 50}` } }
          : p % 5 === 1
            ? { type: 'string', enum: ['active', 'inactive', 'pending'], description }
            : { type: p % 2 === 0 ? 'integer' : 'string', description }
    }
    schemas[`Thing${i}`] = { type: 'object', properties, required: ['field0', 'field1'] }
    if (i < 50)
      schemas[`Part${i}`] = {
        type: 'object',
        properties: {
          name: { type: 'string' },
          size: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
        },
      }
    const ref = { $ref: `#/components/schemas/Thing${i}` }
    const tags = [`group${i % 20}`]
    paths[`/things${i}/{id}`] = {
      get: {
        tags,
        operationId: `getThing${i}`,
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'expand', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: ref } } } },
      },
      put: {
        tags,
        operationId: `putThing${i}`,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { content: { 'application/json': { schema: ref } } },
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: ref } } } },
      },
    }
    size += JSON.stringify(schemas[`Thing${i}`]).length + JSON.stringify(paths[`/things${i}/{id}`]).length
  }
  return JSON.stringify(doc)
}

export async function benchLoopDelay(): Promise<Record<string, number>> {
  const server = await startServer()
  const dir = mkdtempSync(join(tmpdir(), 'fd-bench-loop-'))
  const service = createEngineService({
    host: 'test',
    persistWorkspace: false,
    watchCollections: false,
    settings: { globalConcurrency: IN_FLIGHT, perOriginConcurrency: IN_FLIGHT },
  })
  try {
    const send = async (url: string): Promise<{ ok: boolean; bodyId: string }> => {
      const sent = await service.invoke('http.send', {
        request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
      })
      if (!sent.ok) throw new Error(sent.error.message)
      const r = await service.http.waitFor(sent.value.sids[0] as string)
      return r.final.type === 'done'
        ? { ok: r.final.status === 200, bodyId: r.final.body.id }
        : { ok: false, bodyId: '' }
    }
    const big = await send(`${server.url}/big.json`)
    if (!big.ok) throw new Error('the 100 MB body did not arrive')
    const specFile = join(dir, 'openapi.json')
    writeFileSync(specFile, openApiSpec(3 * 1024 * 1024))

    const delay = monitorEventLoopDelay({ resolution: 1 })
    delay.enable()
    const start = performance.now()
    const timed = async <T>(work: Promise<T>): Promise<[T, number]> => [await work, performance.now() - start]
    const [[index, indexMs], [imported, importMs], [requests, requestsMs]] = await Promise.all([
      // Lines past the end: answered once the whole body is indexed.
      timed(
        service.invoke('body.lines', { bodyId: big.bodyId, view: 'pretty', from: 100_000_000, count: 1 }),
      ),
      timed(runImport({ file: specFile }, 'openapi', join(dir, 'imported'), null)),
      timed(
        Promise.all(
          Array.from({ length: IN_FLIGHT }, (_, i) => send(`${server.url}/delay?ms=${500 + (i % 100) * 20}`)),
        ),
      ),
    ])
    delay.disable()
    if (!index.ok || !index.value.complete) throw new Error(`indexing failed: ${JSON.stringify(index)}`)
    if (!imported.ok) throw new Error(`import failed: ${imported.error.message}`)
    const failed = requests.filter((r) => !r.ok).length
    if (failed > 0) throw new Error(`${failed} of ${IN_FLIGHT} requests failed`)
    const p99 = Math.round(delay.percentile(99) / 1e5) / 10
    const max = Math.round(delay.max / 1e5) / 10
    console.log(
      `engine loop delay: p99 ${p99} ms, max ${max} ms while indexing ${index.value.total.toLocaleString('en-US')} lines (${Math.round(indexMs)} ms), importing ${imported.value.requests} operations (${Math.round(importMs)} ms), ${IN_FLIGHT} requests (${Math.round(requestsMs)} ms)`,
    )
    return {
      'engine.loop_delay_p99_ms': p99,
      'engine.loop_delay_max_ms': max,
      'engine.loop_delay_index_ms': Math.round(indexMs),
      'engine.loop_delay_import_ms': Math.round(importMs),
    }
  } finally {
    await service.dispose()
    server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
