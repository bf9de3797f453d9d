import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planInWorker } from '../../src/engine/importers/plan-in-worker'
import type { ImportPlan } from '../../src/engine/importers/plan'
import { WorkerPool } from '../../src/engine/workers/pool'

/**
 * An OpenAPI description shared by someone hostile, imported as the app and the CLI import it (planned in the
 * worker pool): references to files and servers, a YAML alias bomb, references that multiply, circular schemas,
 * 100,000 operations, thousands of parameters. Nothing is read or fetched, every cut is said, the work is bounded.
 */

type Obj = Record<string, unknown>
const ok = { responses: { '200': { description: 'ok' } } }
const head = { openapi: '3.0.3', info: { title: 'Hostile', version: '1' } }

let pool: WorkerPool
let server: Server
let serverUrl: string
const serverHits: string[] = []
let root: string

beforeAll(async () => {
  pool = new WorkerPool({ size: 1, taskTimeoutMs: 90_000 })
  server = createServer((req, res) => {
    serverHits.push(req.url ?? '')
    res.setHeader('content-type', 'application/json')
    res.end('{"type":"string","example":"FROM-THE-SERVER"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = mkdtempSync(join(tmpdir(), 'fd-attack-openapi-'))
})

afterAll(async () => {
  await pool.close()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(root, { recursive: true, force: true })
})

function plan(text: string): Promise<ImportPlan> {
  return planInWorker({ text }, 'auto', pool).then((r) => r.plan)
}

function bodyOf(p: ImportPlan, i = 0): string {
  const node = p.children[i] as { type: string; request?: { body: { kind: string; text?: string } } }
  return node.request?.body.text ?? ''
}

/** Levels of 50 properties, each a reference to the next level's schema: tiny text, 50^levels values. */
function multiplyingSchemas(levels: number): Obj {
  const schemas: Obj = { [`L${levels}`]: { type: 'string' } }
  for (let level = levels - 1; level >= 0; level--) {
    const properties: Obj = {}
    for (let p = 0; p < 50; p++) properties[`p${p}`] = { $ref: `#/components/schemas/L${level + 1}` }
    schemas[`L${level}`] = { type: 'object', properties }
  }
  return schemas
}

const jsonBody = (schema: unknown): Obj => ({
  ...ok,
  requestBody: { content: { 'application/json': { schema } } },
})

describe('an OpenAPI import of a hostile document', () => {
  it('reads no file and fetches nothing a $ref names, wherever it sits, and names each one', async () => {
    const dir = join(root, 'refs')
    mkdirSync(dir)
    writeFileSync(join(root, 'id_rsa'), '{"type":"string","example":"PRIVATE-KEY"}')
    symlinkSync(join(root, 'id_rsa'), join(dir, 'linked.json'))
    writeFileSync(join(dir, 'beside.json'), '{"type":"string","example":"BESIDE"}')
    const refs = [
      join(root, 'id_rsa'),
      `file://${join(root, 'id_rsa')}`,
      '../id_rsa',
      'linked.json',
      'beside.json',
      `${serverUrl}/schema.json`,
      'file:///etc/passwd',
    ]
    const paths: Obj = {}
    refs.forEach((ref, i) => {
      paths[`/object${i}`] = { post: jsonBody({ type: 'object', properties: { a: { $ref: ref } } }) }
      paths[`/allOf${i}`] = { post: jsonBody({ allOf: [{ $ref: ref }] }) }
      paths[`/param${i}`] = { get: { ...ok, parameters: [{ $ref: ref }] } }
    })
    const file = join(dir, 'openapi.json')
    writeFileSync(file, JSON.stringify({ ...head, paths }))
    const { plan: p } = await planInWorker({ file }, 'auto', pool)
    const written = JSON.stringify(p)
    for (const leaked of ['PRIVATE-KEY', 'BESIDE', 'FROM-THE-SERVER', 'root:x:0'])
      expect(written).not.toContain(leaked)
    expect(serverHits).toEqual([])
    expect(p.children).toHaveLength(refs.length * 3)
    // Each reference is named in the report, an array's item (allOf, parameters) as well as an object's value.
    refs.forEach((ref, i) => {
      for (const where of [
        `#/paths/~1object${i}/post/requestBody/content/application~1json/schema/properties/a`,
        `#/paths/~1allOf${i}/post/requestBody/content/application~1json/schema/allOf/0`,
        `#/paths/~1param${i}/get/parameters/0`,
      ])
        expect(p.unmapped).toContain(
          `not valid OpenAPI, imported as far as it goes: ${where}: "$ref" ${ref} is outside this file; not fetched, left empty`,
        )
    })
  }, 90_000)

  it('a $ref to nothing inside a list is left empty and named; the rest is imported', async () => {
    const p = await plan(
      JSON.stringify({
        ...head,
        paths: {
          '/x': {
            post: {
              ...jsonBody({
                allOf: [
                  { $ref: '#/components/schemas/Gone' },
                  { type: 'object', properties: { n: { type: 'integer' } } },
                ],
              }),
              parameters: [
                { $ref: '#/components/parameters/Gone' },
                { name: 'q', in: 'query', schema: { type: 'string' } },
              ],
            },
          },
        },
      }),
    )
    expect(p.unmapped).toEqual(
      expect.arrayContaining([
        'not valid OpenAPI, imported as far as it goes: #/paths/~1x/post/requestBody/content/application~1json/schema/allOf/0: "$ref" #/components/schemas/Gone points to nothing; left empty',
        'not valid OpenAPI, imported as far as it goes: #/paths/~1x/post/parameters/0: "$ref" #/components/parameters/Gone points to nothing; left empty',
      ]),
    )
    expect(JSON.parse(bodyOf(p))).toEqual({ n: 0 })
    expect((p.children[0] as { request: { url: string } }).request.url).toBe('{{baseUrl}}/x?q=string')
  }, 90_000)

  it('an 800-byte YAML alias bomb is refused in words before anything walks it', async () => {
    const lines = [
      'openapi: 3.0.3',
      'info: {title: t, version: "1"}',
      'x-bomb:',
      '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ]
    for (let i = 1; i < 12; i++)
      lines.push(
        `  a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      )
    lines.push(
      'paths:',
      '  /x:',
      '    get:',
      '      responses: {"200": {description: ok}}',
      '      x-b: *a11',
    )
    await expect(plan(lines.join('\n'))).rejects.toThrow(
      'the document holds more than 4,000,000 values once its YAML aliases are expanded (a part repeated by aliases, or a file too large to import); nothing was written',
    )
  }, 90_000)

  it('YAML anchors used as people use them (a shared response) import as before', async () => {
    const text = [
      'openapi: 3.0.3',
      'info: {title: t, version: "1"}',
      'paths:',
      '  /a:',
      '    get:',
      '      responses: &std {"200": {description: ok}}',
      '  /b:',
      '    get:',
      '      responses: *std',
    ].join('\n')
    expect((await plan(text)).children).toHaveLength(2)
  }, 90_000)

  it('references that multiply (7 levels of 50) import in one pass, the example cut and said', async () => {
    const p = await plan(
      JSON.stringify({
        ...head,
        components: { schemas: multiplyingSchemas(7) },
        paths: { '/x': { post: jsonBody({ $ref: '#/components/schemas/L0' }) } },
      }),
    )
    expect(p.unmapped).toContain(
      "POST /x: the example body stops at 10,000 values (its schema's $refs repeat); the rest are null",
    )
    expect(bodyOf(p).length).toBeLessThan(1_000_000)
    expect(Object.keys(JSON.parse(bodyOf(p)) as Obj)).toContain('p0')
  }, 90_000)

  it('every operation naming the multiplying schema: the examples of the import together are bounded and said', async () => {
    const paths: Obj = {}
    for (let i = 0; i < 300; i++) paths[`/x${i}`] = { post: jsonBody({ $ref: '#/components/schemas/L0' }) }
    const p = await plan(JSON.stringify({ ...head, components: { schemas: multiplyingSchemas(7) }, paths }))
    expect(p.children).toHaveLength(300)
    const total = p.children.reduce((n, _c, i) => n + bodyOf(p, i).length, 0)
    expect(total).toBeLessThan(40_000_000)
    expect(
      p.unmapped.filter((l) => l.includes('the examples of this import stop at 1,000,000 values')),
    ).toHaveLength(1)
  }, 90_000)

  it('circular schemas (a tree, a pair naming each other) import with finite examples', async () => {
    const schemas = {
      Node: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
          pair: { $ref: '#/components/schemas/A' },
        },
      },
      A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } },
      B: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' } } },
      Loop: { $ref: '#/components/schemas/Loop2' },
      Loop2: { $ref: '#/components/schemas/Loop' },
    }
    const p = await plan(
      JSON.stringify({
        ...head,
        components: { schemas },
        paths: {
          '/n': { post: jsonBody({ $ref: '#/components/schemas/Node' }) },
          '/l': { post: jsonBody({ $ref: '#/components/schemas/Loop' }) },
        },
      }),
    )
    expect(p.children).toHaveLength(2)
    expect(JSON.parse(bodyOf(p, 0))).toMatchObject({
      name: 'string',
      children: [null],
      pair: { b: {} },
    })
    expect(JSON.parse(bodyOf(p, 1))).toEqual({})
  }, 90_000)

  it('a $ref chain past 64 references to references, and a loop of them, are said, not emptied silently', async () => {
    const schemas: Obj = { Leaf: { type: 'string', example: 'leaf' }, A: { $ref: '#/components/schemas/B' } }
    schemas['B'] = { $ref: '#/components/schemas/A' }
    for (let i = 0; i < 100; i++)
      schemas[`D${i}`] = { $ref: `#/components/schemas/${i === 99 ? 'Leaf' : `D${i + 1}`}` }
    const post = (ref: string): Obj => ({
      post: { ...ok, requestBody: { content: { 'application/json': { schema: { $ref: ref } } } } },
    })
    const paths = { '/near': post('#/components/schemas/D50'), '/loop': post('#/components/schemas/A') }
    const p = await plan(JSON.stringify({ ...head, components: { schemas }, paths }))
    const bodies = p.children.map((c) => (c as { request: { url: string; body: { text: string } } }).request)
    expect(Object.fromEntries(bodies.map((r) => [r.url, r.body.text]))).toEqual({
      '{{baseUrl}}/near': '"leaf"\n',
      '{{baseUrl}}/loop': '{}\n',
    })
    expect(p.unmapped).toContain(
      '38 "$ref"s (the first: #/components/schemas/B) go through more than 64 references to references, or round a loop of them, and were left unresolved: an example made from one is empty',
    )
  })

  // The walk replaces each reference it meets by its target, which used to shorten a chain for every link met
  // after it: with the schemas listed leaf first (C69 before C68 …), every link resolved; listed C0 first, the
  // links more than 64 from the leaf stayed references. The same chain now resolves the same in either order.
  it('a chain of 70 references resolves the same whichever of its links the walk meets first', async () => {
    const chain = (order: 'leaf first' | 'head first'): string => {
      const schemas: Obj = {}
      const names = Array.from({ length: 70 }, (_, i) => i)
      for (const i of order === 'leaf first' ? names.reverse() : names)
        schemas[`C${i}`] =
          i === 69 ? { type: 'string', example: 'end' } : { $ref: `#/components/schemas/C${i + 1}` }
      const post = (ref: string): Obj => ({
        post: { ...ok, requestBody: { content: { 'application/json': { schema: { $ref: ref } } } } },
      })
      const paths = { '/far': post('#/components/schemas/C2'), '/near': post('#/components/schemas/C10') }
      // Components before paths: the walk meets the chain's own links before the operations' references.
      return JSON.stringify({ ...head, components: { schemas }, paths })
    }
    const bodies = async (text: string): Promise<[Record<string, string>, string[]]> => {
      const p = await plan(text)
      const requests = p.children.map(
        (c) => (c as { request: { url: string; body: { text: string } } }).request,
      )
      return [Object.fromEntries(requests.map((r) => [r.url, r.body.text])), p.unmapped]
    }
    const [leafFirst, leafNotes] = await bodies(chain('leaf first'))
    const [headFirst, headNotes] = await bodies(chain('head first'))
    // C2 is 67 references from the end: past 64 either way; C10 is 59.
    expect(leafFirst).toEqual({ '{{baseUrl}}/far': '{}\n', '{{baseUrl}}/near': '"end"\n' })
    expect(headFirst).toEqual(leafFirst)
    const cut = (notes: string[]): string | undefined =>
      notes.find((l) => l.includes('references to references'))
    expect(cut(leafNotes)).toMatch(
      /^5 "\$ref"s \(the first: #\/components\/schemas\/C[1-4]\) go through more than 64/,
    )
    expect(cut(headNotes)).toMatch(
      /^5 "\$ref"s \(the first: #\/components\/schemas\/C[1-4]\) go through more than 64/,
    )
  })

  // A schema and a query parameter, each with a 1 MB example, named by 20 operations: each value counted once, so
  // a 2 MB file made 40 MB of bodies and query strings (2,000 operations: 4 GB). The examples together stop at
  // 32 MB, said once. ~3 s at load 16: the cut is only reached past 32 MB.
  it('long examples named by many operations: bodies and parameters together are bounded and the cut said', async () => {
    const paths: Obj = {}
    const schema = { $ref: '#/components/schemas/Big' }
    const parameters = [{ $ref: '#/components/parameters/Q' }]
    for (let i = 0; i < 20; i++)
      paths[`/a${i}`] = {
        post: { ...ok, parameters, requestBody: { content: { 'application/json': { schema } } } },
      }
    const big = 'x'.repeat(1024 * 1024)
    const components = {
      schemas: { Big: { type: 'string', example: big } },
      parameters: { Q: { name: 'q', in: 'query', schema: { type: 'string', example: big } } },
    }
    const p = await plan(JSON.stringify({ ...head, components, paths }))
    const requests = p.children.map(
      (c) => (c as { request: { url: string; body: { text: string } } }).request,
    )
    const size = requests.reduce((n, r) => n + r.url.length + r.body.text.length, 0)
    expect(size).toBeLessThanOrEqual(32 * 1024 * 1024 + 20 * 100)
    expect(requests.filter((r) => r.body.text === '')).toHaveLength(20 - 15)
    expect(requests.filter((r) => r.url.length < 100)).toHaveLength(20 - 16)
    expect(p.unmapped).toContain(
      'POST /a15 and after: the examples of this import (bodies and parameters) stop at 32 MB of text together; the rest are left empty',
    )
  }, 90_000)

  it('100,000 operations are refused whole, counted, before the document is validated', async () => {
    const paths: Obj = {}
    for (let i = 0; i < 100_000; i++) paths[`/p${i}`] = { get: { ...ok, tags: ['many'] } }
    await expect(plan(JSON.stringify({ ...head, paths }))).rejects.toThrow(
      'The file has 100,000 requests in 1 folder; Flightdeck imports at most 10,000 at a time (nothing was written)',
    )
  }, 90_000)

  it('30,000 parameters on one operation are validated up to a bound (said) and all imported', async () => {
    const parameters = Array.from({ length: 30_000 }, (_, i) => ({
      name: `q${i}`,
      in: 'query',
      schema: { type: 'string' },
    }))
    const p = await plan(JSON.stringify({ ...head, paths: { '/x': { get: { ...ok, parameters } } } }))
    expect(p.unmapped).toContain(
      'not valid OpenAPI, imported as far as it goes: #/paths/~1x/get/parameters: 30,000 parameters; only the first 200 are validated (all are imported)',
    )
    const url = (p.children[0] as { request: { url: string } }).request.url
    expect(url.split('&')).toHaveLength(30_000)
  }, 90_000)
})
