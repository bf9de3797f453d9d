import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { GRAPHQL_ACCEPT } from '../../src/shared/graphql'
import { graphqlPostSpec } from '../../src/shared/graphql-saved'
import type { EngineService } from '../../src/engine/service'
import { startGraphqlServer, type GraphqlFixture } from '../fixtures/graphql-server'
import { bodyText, done, makeService } from './helpers'
import { savedRequest } from './import-formats-helpers'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * GraphQL requests from Bruno (`.bru` with `meta { type: graphql }`, and its OpenCollection YAML) and from
 * Hoppscotch's GraphQL collections come in as GraphQL requests: query, variables as written (`{{userId}}`
 * inside them survives), method, headers and auth. Each is then sent from its new collection to a real
 * graphql-yoga server, which answers with the user the variables name and the Authorization header it got.
 */

let server: GraphqlFixture
let work: string
let service: EngineService
beforeAll(async () => {
  server = await startGraphqlServer()
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'fd-gql-tools-'))
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
})
afterEach(async () => {
  await service.dispose()
  rmSync(work, { recursive: true, force: true })
})

const QUERY =
  'query Who($id: Int!) {\n  user(id: $id) {\n    name\n  }\n  auth: echoHeader(name: "authorization")\n}'

/** The only request file of an imported collection (below `sub`), by its file name's start. */
function requestFile(dir: string, stem: string, sub = ''): string {
  const f = readdirSync(join(dir, sub)).find((n) => n.startsWith(stem) && n.endsWith('.yaml'))
  if (!f) throw new Error(`no ${stem}*.yaml in ${join(dir, sub)}`)
  return sub ? `${sub}/${f}` : f
}

/** Import through the engine (which opens the new collection), as the app does. */
async function importInto(from: { file?: string; text?: string }, into: string) {
  const r = await service.invoke('import.run', { format: 'auto', ...from, into })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

/** Send an imported GraphQL request from its collection (its variables and auth) and return the result. */
async function sendImported(dir: string, path: string): Promise<unknown> {
  const req = await savedRequest(dir, path)
  if (!req.graphql) throw new Error('not a GraphQL request')
  const r = await service.invoke('request.send', {
    request: graphqlPostSpec(req, req.graphql, GRAPHQL_ACCEPT),
    auth: req.auth,
    context: { dir, path },
  })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return JSON.parse(await bodyText(service, done(await service.http.waitFor(r.value.sids[0] as string))))
}

describe('GraphQL imports from Bruno and Hoppscotch', () => {
  it('a Bruno .bru GraphQL request: query, {{variables}} in its variables, auth; sent, the server answers', async () => {
    const src = join(work, 'bruno')
    mkdirSync(join(src, 'Users'), { recursive: true })
    writeFileSync(join(src, 'bruno.json'), '{ "version": "1", "name": "Gql", "type": "collection" }')
    writeFileSync(join(src, 'collection.bru'), `vars:pre-request {\n  base: ${server.url}\n  userId: 4\n}\n`)
    writeFileSync(
      join(src, 'Users', 'who.bru'),
      [
        'meta {\n  name: Who\n  type: graphql\n  seq: 1\n}\n',
        'post {\n  url: {{base}}\n  body: graphql\n  auth: bearer\n}\n',
        'auth:bearer {\n  token: tok-1\n}\n',
        `body:graphql {\n${QUERY.split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n}\n`,
        'body:graphql:vars {\n  {\n    "id": {{userId}}\n  }\n}\n',
      ].join('\n'),
    )
    const dir = join(work, 'from-bruno')
    const report = await importInto({ file: src }, dir)
    expect(report.unmapped.join('\n')).not.toMatch(/GraphQL/)
    const path = requestFile(dir, 'who', 'users')
    const req = await savedRequest(dir, path)
    expect(req.kind).toBe('graphql')
    expect(req.method).toBe('POST')
    expect(req.body).toEqual({ kind: 'none' })
    expect(req.auth).toEqual({ type: 'bearer', token: 'tok-1' })
    expect(req.graphql).toEqual({ query: QUERY, variables: '{\n  "id": {{userId}}\n}' })
    expect(await sendImported(dir, path)).toEqual({
      data: { user: { name: 'user 4' }, auth: 'Bearer tok-1' },
    })
  })

  it('an OpenCollection GraphQL item (graphql block, runtime auth, body variants): imported and sent', async () => {
    const yaml = [
      'opencollection: 1.0.0',
      'info:',
      '  name: Gql OC',
      'request:',
      '  variables:',
      `    - name: base`,
      `      value: ${server.url}`,
      '    - name: userId',
      '      value: "5"',
      'items:',
      '  - info:',
      '      name: Who',
      '      type: graphql',
      '    graphql:',
      '      url: "{{base}}"',
      '      headers:',
      '        - name: X-Trace',
      '          value: t-1',
      '      body:',
      '        - title: Other',
      '          body:',
      '            query: "{ hello }"',
      '        - title: Main',
      '          selected: true',
      '          body:',
      '            query: |',
      ...QUERY.split('\n').map((l) => `              ${l}`),
      '            variables: \'{"id": {{userId}}}\'',
      '    runtime:',
      '      auth:',
      '        type: bearer',
      '        token: tok-2',
    ].join('\n')
    const dir = join(work, 'from-oc')
    const report = await importInto({ text: yaml }, dir)
    expect(report.unmapped).toContain('Who: GraphQL body variants Other not kept (one body per request)')
    const path = requestFile(dir, 'who')
    const req = await savedRequest(dir, path)
    expect(req.kind).toBe('graphql')
    expect(req.method).toBe('POST')
    expect(req.headers).toEqual([{ name: 'X-Trace', value: 't-1', enabled: true }])
    expect(req.graphql).toEqual({ query: QUERY, variables: '{"id": {{userId}}}' })
    expect(await sendImported(dir, path)).toEqual({
      data: { user: { name: 'user 5' }, auth: 'Bearer tok-2' },
    })
  })

  it('a Hoppscotch GraphQL collection (url, query, variables with <<vars>>, headers, auth): imported and sent', async () => {
    const collection = hoppscotchCollection()
    const dir = join(work, 'from-hopp')
    await importInto({ text: JSON.stringify([collection]) }, dir)
    const path = requestFile(dir, 'who', requestFileDir(dir))
    const req = await savedRequest(dir, path)
    expect(req.kind).toBe('graphql')
    expect(req.url).toBe('{{base}}')
    expect(req.headers.map((h) => [h.name, h.enabled])).toEqual([
      ['X-Off', false],
      ['X-On', true],
    ])
    expect(req.graphql).toEqual({ query: QUERY, variables: '{ "id": {{userId}} }' })
    expect(await sendImported(dir, path)).toEqual({
      data: { user: { name: 'user 6' }, auth: 'Bearer tok-3' },
    })
  })

  it('exported to Bruno as a GraphQL .bru that imports back and sends the same; what Bruno cannot hold is listed', async () => {
    const dir = join(work, 'from-hopp')
    await importInto({ text: JSON.stringify([hoppscotchCollection()]) }, dir)
    const path = requestFile(dir, 'who', requestFileDir(dir))
    // An operation name and a WebSocket transport are Flightdeck's own: listed as not exported.
    const file = join(dir, ...path.split('/'))
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^graphql:\n/m, 'graphql:\n  operationName: Who\n  transport: ws\n'),
    )
    const out = join(work, 'to-bruno')
    const exported = await service.invoke('export.collection', { dir, format: 'bruno', file: out })
    if (!exported.ok) throw new Error(exported.error.message)
    expect(exported.value.skipped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/GraphQL over ws has no Bruno equivalent; exported as an HTTP query/),
        expect.stringMatching(/operation name Who not exported/),
      ]),
    )
    const bru = readFileSync(join(out, ...path.replace(/\.yaml$/, '.bru').split('/')), 'utf8')
    expect(bru).toMatch(/meta \{\n {2}name: Who\n {2}type: graphql/)
    expect(bru).toContain('post {\n  url: {{base}}\n  body: graphql\n  auth: bearer\n}')
    expect(bru).toContain('body:graphql {\n  query Who($id: Int!) {\n    user(id: $id) {')
    expect(bru).toContain('body:graphql:vars {\n  { "id": {{userId}} }\n}')
    const back = join(work, 'back')
    await importInto({ file: out }, back)
    const again = await savedRequest(back, path)
    expect(again.kind).toBe('graphql')
    expect(again.graphql).toEqual({ query: QUERY, variables: '{ "id": {{userId}} }' })
    expect(await sendImported(back, path)).toEqual({
      data: { user: { name: 'user 6' }, auth: 'Bearer tok-3' },
    })
  })
})

/** A Hoppscotch GraphQL collection export (v8 collection, v11 requests) with one request in a folder. */
function hoppscotchCollection(): object {
  return {
    v: 8,
    name: 'Gql Hopp',
    folders: [
      {
        v: 8,
        name: 'Users',
        folders: [],
        requests: [
          {
            v: 11,
            name: 'Who',
            url: '<<base>>',
            headers: [
              { key: 'X-Off', value: '1', active: false, description: '' },
              { key: 'X-On', value: '2', active: true, description: '' },
            ],
            query: QUERY,
            variables: '{ "id": <<userId>> }',
            auth: { authType: 'bearer', authActive: true, token: 'tok-3' },
            description: null,
          },
        ],
        auth: { authType: 'inherit', authActive: true },
        headers: [],
      },
    ],
    requests: [],
    auth: { authType: 'none', authActive: true },
    headers: [],
    variables: [
      { key: 'base', initialValue: server.url, currentValue: server.url, secret: false },
      { key: 'userId', initialValue: '6', currentValue: '6', secret: false },
    ],
  }
}

/** The folder the Hoppscotch request landed in (one folder per collection, then its own folder). */
function requestFileDir(dir: string): string {
  const walk = (rel: string): string | null => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'environments') {
        const inner = walk(rel ? `${rel}/${e.name}` : e.name)
        if (inner !== null) return inner
      } else if (e.name.startsWith('who')) return rel
    }
    return null
  }
  return walk('') ?? ''
}
