import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadCollection } from '../src/engine/collections/loader'
import { runImport } from '../src/engine/importers/index'
import { paired } from './paired'

/**
 * Importing a big API description: a 3 MB OpenAPI 3.1 spec, generated here (the shape of a large vendor spec:
 * 24 tags, 800 operations with path, query and header parameters, JSON request bodies and responses, 240
 * component schemas referencing each other, bearer auth), imported into a new collection folder: read,
 * validated and planned in the worker, written through the stage, moved into place. The median of three runs
 * is `import.openapi_3mb_ms`; each run's collection must load with every request and no problem.
 */
const TAGS = 24
const OPERATIONS = 800
const SCHEMAS = 240
const SHARED = 12
const TARGET_BYTES = 3 * 1024 * 1024

function schema(i: number): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    id: { type: 'string', format: 'uuid', description: `Identifier of the resource of kind ${i}.` },
    createdAt: { type: 'string', format: 'date-time', description: 'When it was created, in UTC.' },
    status: { type: 'string', enum: ['active', 'suspended', 'closed'], example: 'active' },
    amount: { type: 'integer', minimum: 0, example: 1200, description: 'Minor units of the currency.' },
    labels: { type: 'array', items: { type: 'string' }, description: 'Free-form labels set by the caller.' },
  }
  for (let p = 0; p < 14; p++) {
    properties[`field${p}`] = {
      type: ['string', 'null'],
      maxLength: 256,
      description: `Field ${p} of schema ${i}: a value the API keeps as given and returns on every read of it.`,
    }
  }
  // Shared building blocks (the first dozen, like Money or Address) are referenced from the others.
  if (i >= SHARED) properties['owner'] = { $ref: `#/components/schemas/Schema${i % SHARED}` }
  return { type: 'object', required: ['id', 'status'], properties }
}

function operation(i: number, method: string): Record<string, unknown> {
  const s = `#/components/schemas/Schema${i % SCHEMAS}`
  const op: Record<string, unknown> = {
    tags: [`Area ${i % TAGS}`],
    summary: `${method === 'get' ? 'Read' : 'Change'} resource ${i}`,
    operationId: `${method}Resource${i}`,
    description: `Operation ${i}. It acts on one resource and answers with its current state; retries are safe when an idempotency key is given.`,
    parameters: [
      { name: 'resourceId', in: 'path', required: true, schema: { type: 'string' }, example: `r-${i}` },
      { name: 'expand', in: 'query', schema: { type: 'string', enum: ['none', 'parent', 'all'] } },
      { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', format: 'uuid' } },
    ],
    responses: {
      '200': { description: 'The resource.', content: { 'application/json': { schema: { $ref: s } } } },
      '404': { description: 'No such resource.' },
    },
  }
  if (method !== 'get') {
    op['requestBody'] = { required: true, content: { 'application/json': { schema: { $ref: s } } } }
  }
  return op
}

/** The spec's JSON text, padded with descriptions to just over TARGET_BYTES. */
export function bigOpenApi(): string {
  const schemas: Record<string, unknown> = {}
  for (let i = 0; i < SCHEMAS; i++) schemas[`Schema${i}`] = schema(i)
  const paths: Record<string, unknown> = {}
  for (let i = 0; i < OPERATIONS / 2; i++) {
    paths[`/areas/${i % TAGS}/resources${i}/{resourceId}`] = {
      get: operation(i * 2, 'get'),
      post: operation(i * 2 + 1, 'post'),
    }
  }
  const spec = {
    openapi: '3.1.0',
    info: { title: 'Big Platform API', version: '2026-11-01', description: '' },
    servers: [{ url: 'https://api.example.test/v2' }],
    security: [{ bearer: [] }],
    tags: Array.from({ length: TAGS }, (_, t) => ({ name: `Area ${t}` })),
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  }
  let text = JSON.stringify(spec, null, 1)
  const short = TARGET_BYTES - Buffer.byteLength(text)
  if (short > 0) {
    spec.info.description = 'Long-form API guide. '.repeat(Math.ceil(short / 21))
    text = JSON.stringify(spec, null, 1)
  }
  return text
}

/**
 * Refusing a file over the import limit: a ~37 MB Postman v2.1 collection of 250,000 requests (the catalogue's
 * "50 MB import" case), refused whole with nothing written. It is paired with the least any refusal must do,
 * reading and JSON-parsing the same file on this thread, so the machine's load hits both alike: the ratio
 * (`import.refuse_250k_vs_parse`, refusal time over parse time) says how much more than parsing a refusal
 * costs. Before the count came first, the whole plan was built in the worker and copied back: 8–15×.
 */
const HUGE_REQUESTS = 250_000
const REFUSE_ROUNDS = 5

function hugePostman(): string {
  const item = Array.from({ length: HUGE_REQUESTS }, (_, i) => ({
    name: `request number ${i} with a longish name`,
    request: { method: 'GET', url: `http://127.0.0.1/items/${i}?page=${i % 100}&filter=abcdefghijklmnop` },
  }))
  const schema = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'
  return JSON.stringify({ info: { name: 'Huge', schema }, item })
}

async function benchRefusal(base: string): Promise<Record<string, number>> {
  const file = join(base, 'huge-postman.json')
  writeFileSync(file, hugePostman())
  const mb = statSync(file).size / 1e6
  const into = join(base, 'refused')
  const refuseMs: number[] = []
  const r = await paired(
    'refuse',
    REFUSE_ROUNDS,
    {
      name: 'refuse',
      run: async () => {
        const start = performance.now()
        const out = await runImport({ file }, 'auto', into, null)
        const ms = performance.now() - start
        if (out.ok || out.error.code !== 'too_large') throw new Error('the huge import was not refused')
        if (readdirSync(base).length !== 1) throw new Error('a refused import wrote something')
        refuseMs.push(ms)
        return mb / (ms / 1000)
      },
    },
    {
      name: 'parse',
      run: () => {
        const start = performance.now()
        const data: unknown = JSON.parse(readFileSync(file, 'utf8'))
        if (typeof data !== 'object') throw new Error('not parsed')
        return Promise.resolve(mb / ((performance.now() - start) / 1000))
      },
    },
    'MB/s',
  )
  // Rates are MB per second: parse's over refusal's is the refusal's time over the parse's.
  const ratio = 1 / r.ratio
  refuseMs.sort((a, b) => a - b)
  const median = Math.round(refuseMs[Math.floor(refuseMs.length / 2)] ?? 0)
  console.log(
    `import: ${HUGE_REQUESTS} Postman requests refused in ${refuseMs.map((t) => Math.round(t)).join(' / ')} ms (median ${median}); ${ratio.toFixed(2)}x reading and parsing it`,
  )
  return { 'import.refuse_250k_ms': median, 'import.refuse_250k_vs_parse': Number(ratio.toFixed(2)) }
}

export async function benchImport(): Promise<Record<string, number>> {
  const base = mkdtempSync(join(tmpdir(), 'fd-bench-import-'))
  const refuseBase = mkdtempSync(join(tmpdir(), 'fd-bench-refuse-'))
  try {
    const refusal = await benchRefusal(refuseBase)
    const file = join(base, 'big-openapi.json')
    writeFileSync(file, bigOpenApi())
    const bytes = statSync(file).size
    const times: number[] = []
    for (let round = 0; round < 3; round++) {
      const into = join(base, `collection-${round}`)
      const start = performance.now()
      const r = await runImport({ file }, 'auto', into, null)
      times.push(performance.now() - start)
      if (!r.ok) throw new Error(r.error.message)
      const { info } = await loadCollection(into)
      if (info.requestCount !== OPERATIONS || info.problems.length > 0)
        throw new Error(`imported ${info.requestCount} requests with ${info.problems.length} problems`)
    }
    times.sort((a, b) => a - b)
    const median = Math.round(times[1] ?? 0)
    console.log(
      `import: ${(bytes / 1024 / 1024).toFixed(2)} MB OpenAPI 3.1, ${OPERATIONS} operations: ${times.map((t) => Math.round(t)).join(' / ')} ms (median ${median})`,
    )
    return { 'import.openapi_3mb_ms': median, 'import.openapi_3mb_bytes': bytes, ...refusal }
  } finally {
    rmSync(base, { recursive: true, force: true })
    rmSync(refuseBase, { recursive: true, force: true })
  }
}
