import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runImport } from '../../../src/engine/importers/index'
import { MemorySecretStore } from '../../../src/engine/secrets/secret-store'
import type { EngineService } from '../../../src/engine/service'
import { savedToSpec, type RequestNode, type TreeNode } from '../../../src/shared/collection'
import type { ScriptEvent, TimelineEvent } from '../../../src/shared/timeline'
import { makeService } from '../helpers'
import { NEWMAN_TEST_MS } from '../../helpers/cold-start'

/**
 * What `pm.request` and `pm.response` show a script, newman against Flightdeck: one collection of our own (templated
 * URL, query, headers, bodies, auth; a pre-request script that changes the request; a redirect), run by newman and
 * by Flightdeck (`flightdeck run`, and the app's send, which `flightdeck send --collection` is too) against one
 * server. Every script logs what it sees; the logs must be the same. A pre-request script sees the request as
 * written ({{templates}} unresolved), a test script the request as it was sent (resolved, auth applied, the
 * client's own headers marked `system`).
 */

const VIEW = [
  'var u = pm.request.url',
  'var own = pm.request.headers.filter(function (h) { return !h.system })',
  // The one difference kept: a request without a body has none in newman (undefined), an empty one of mode
  // 'none' in Flightdeck (scripts written for the app read it without a check).
  'var b = pm.request.body && pm.request.body.mode !== "none" ? pm.request.body : undefined',
  'var pre = typeof pm.response === "undefined"',
  'function shown(v) { return v === undefined ? "<undefined>" : v }',
  'console.log(JSON.stringify({',
  '  phase: pre ? "pre" : "post",',
  '  url: u.toString(), host: u.getHost(), remote: u.getRemote(), path: u.getPath(),',
  '  pathQuery: u.getPathWithQuery(), queryString: u.getQueryString(), query: u.query.toObject(),',
  '  protocol: shown(u.protocol), port: shown(u.port), segments: u.path, hostParts: u.host,',
  '  queryText: u.query.toString(), variables: JSON.stringify(u.variables),',
  '  headers: own.map(function (h) { return [h.key, h.value, h.disabled === true] }),',
  '  systemAuth: pm.request.headers.get("Authorization") || null,',
  '  xTok: pm.request.headers.get("x-tok") || null,',
  '  method: pm.request.method,',
  '  bodyMode: b ? b.mode || null : null,',
  '  bodyText: b ? b.toString() : null,',
  '  raw: b && b.raw !== undefined ? b.raw : null,',
  '  form: b && b.urlencoded ? b.urlencoded.toObject() : null,',
  '  bodyJSON: b ? JSON.stringify(b) : null,',
  '  legacyData: JSON.stringify(request.data),',
  // What the client adds differs (newman's User-Agent, Postman-Token, …): the lists as text before it added any.
  '  headersText: pre ? pm.request.headers.toString() : null,',
  '  headersObject: pre ? pm.request.headers.toObject() : null,',
  '  legacyHeaders: pre ? request.headers : null',
  '}))',
  'if (typeof pm.response !== "undefined") console.log(JSON.stringify({',
  '  code: pm.response.code, status: pm.response.status, reason: pm.response.reason(),',
  '  type: pm.response.headers.get("content-type"), echo: pm.response.json(),',
  '  size: pm.response.responseSize, text: pm.response.text().length,',
  '  bodyAsSent: pm.response.json().body === (b ? b.toString() : ""),',
  '  sizes: pm.response.size(), headerNames: Object.keys(pm.response.headers.toObject()).join(),',
  '  legacyHeaderNames: Object.keys(responseHeaders).join()',
  '}))',
]

const PRE_CHANGE = [
  'pm.request.url.update(pm.request.url.toString() + "?z={{id}}")',
  'pm.request.headers.add({ key: "X-Added", value: "{{tok}}" })',
]

function item(name: string, request: Record<string, unknown>, pre: string[] = []): Record<string, unknown> {
  return {
    name,
    request,
    event: [
      { listen: 'prerequest', script: { type: 'text/javascript', exec: [...pre, ...VIEW] } },
      { listen: 'test', script: { type: 'text/javascript', exec: VIEW } },
    ],
  }
}

function collection(baseUrl: string): Record<string, unknown> {
  return {
    info: {
      name: 'Request view',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    variable: [
      { key: 'baseUrl', value: baseUrl },
      { key: 'tok', value: 'T1' },
      { key: 'id', value: '42' },
    ],
    item: [
      item('Templated JSON', {
        method: 'POST',
        auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{tok}}', type: 'string' }] },
        header: [
          { key: 'X-Tok', value: '{{tok}}' },
          { key: 'Content-Type', value: 'application/json' },
          { key: 'X-Off', value: 'off', disabled: true },
        ],
        url: '{{baseUrl}}/things/{{id}}?a=1&b={{tok}}',
        body: { mode: 'raw', raw: '{"id":"{{id}}"}', options: { raw: { language: 'json' } } },
      }),
      item('Form', {
        method: 'POST',
        url: '{{baseUrl}}/form',
        body: {
          mode: 'urlencoded',
          urlencoded: [
            { key: 'a', value: '{{tok}}' },
            { key: 'b', value: 'x' },
          ],
        },
      }),
      item('Changed by its script', { method: 'GET', url: '{{baseUrl}}/changed' }, PRE_CHANGE),
      item('Key in the query', {
        method: 'GET',
        auth: {
          type: 'apikey',
          apikey: [
            { key: 'key', value: 'k' },
            { key: 'value', value: '{{tok}}' },
            { key: 'in', value: 'query' },
          ],
        },
        url: '{{baseUrl}}/keyed',
      }),
      item('Redirected', { method: 'GET', url: '{{baseUrl}}/redirect/{{id}}' }),
      item('Drawn value', {
        method: 'PUT',
        header: [{ key: 'Content-Type', value: 'text/plain' }],
        url: '{{baseUrl}}/drawn',
        body: { mode: 'raw', raw: 'n={{$timestamp}} id={{id}}' },
      }),
    ],
  }
}

let server: Server
let baseUrl = ''
let service: EngineService
const events: TimelineEvent[] = []
beforeAll(async () => {
  // Answers with what it was sent (so both runs' responses, and what their scripts read of them, are alike).
  server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (body += c))
    req.on('end', () => {
      if (req.url?.startsWith('/redirect/')) {
        res.writeHead(302, { location: '/landed' }).end()
        return
      }
      const echo = JSON.stringify({
        method: req.method,
        url: req.url,
        body,
        tok: req.headers['x-tok'] ?? null,
      })
      res.writeHead(200, { 'content-type': 'application/json' }).end(echo)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-request-view-')) })
  service.subscribe((batch) => events.push(...batch.events))
})
afterAll(async () => {
  await service.dispose()
  await new Promise<void>((r) => server.close(() => r()))
})

type NewmanRun = (
  options: { collection: unknown; reporters: string[]; timeout?: number },
  done: (err: Error | null) => void,
) => {
  on(event: 'console', listener: (err: Error | null, args: { messages: unknown[] }) => void): unknown
}
const require = createRequire(import.meta.url)

/** Every console line newman's scripts wrote, in order. */
function newmanLines(): Promise<string[]> {
  const lines: string[] = []
  const newman = require('newman') as { run: NewmanRun }
  return new Promise((resolve, reject) => {
    newman
      .run({ collection: collection(baseUrl), reporters: [], timeout: 30_000 }, (err) =>
        err ? reject(err) : resolve(lines),
      )
      .on('console', (_err, a) => lines.push(a.messages.map(String).join(' ')))
  })
}

async function imported(): Promise<{ dir: string; requests: RequestNode[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-request-view-col-'))
  const done = await runImport(
    { text: JSON.stringify(collection(baseUrl)) },
    'auto',
    dir,
    new MemorySecretStore(),
  )
  if (!done.ok) throw new Error(done.error.message)
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
  const requests: RequestNode[] = []
  const walk = (n: TreeNode): void => {
    if (n.type === 'request') requests.push(n)
    else n.children.forEach(walk)
  }
  walk(opened.value.root)
  return { dir: opened.value.dir, requests }
}

async function runLines(): Promise<string[]> {
  const { dir } = await imported()
  try {
    const started = await service.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    const report = await service.waitForRun(started.value.runId)
    return (report?.results ?? []).flatMap((r) =>
      [...(r.scripts?.pre?.console ?? []), ...(r.scripts?.post?.console ?? [])].map((l) => l.text),
    )
  } finally {
    await service.invoke('collection.close', { dir })
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A send's two script events: pre on its first session, post on its last hop's. */
async function scriptEvents(sid: string): Promise<ScriptEvent[]> {
  const hops = new Set((await service.http.waitFor(sid)).sids)
  for (let i = 0; i < 400; i++) {
    const found = events.filter((e): e is ScriptEvent => e.type === 'script' && hops.has(e.sid))
    if (found.length >= 2) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no script events for ${sid}`)
}

/** Each request sent as the app (and `flightdeck send --collection`) sends a saved one, one after another. */
async function sendLines(): Promise<string[]> {
  const { dir, requests } = await imported()
  const lines: string[] = []
  try {
    for (const node of [...requests].sort((a, b) => order(a.name) - order(b.name))) {
      const read = await service.invoke('collection.read', { dir, path: node.path })
      if (!read.ok) throw new Error(read.error.message)
      const saved = read.value.request
      const sent = await service.invoke('request.send', {
        request: savedToSpec(saved),
        auth: saved.auth,
        context: { dir, path: node.path },
        ...(saved.scripts ? { scripts: saved.scripts } : {}),
      })
      if (!sent.ok) throw new Error(sent.error.message)
      const found = await scriptEvents(sent.value.sids[0] as string)
      lines.push(...found.flatMap((e) => e.report.console.map((l) => l.text)))
    }
    return lines
  } finally {
    await service.invoke('collection.close', { dir })
    rmSync(dir, { recursive: true, force: true })
  }
}

const NAMES = [
  'Templated JSON',
  'Form',
  'Changed by its script',
  'Key in the query',
  'Redirected',
  'Drawn value',
]
function order(name: string): number {
  return NAMES.indexOf(name)
}

/** The lines as objects; a drawn {{$timestamp}} is each run's own, so it reads as `n=<drawn>`. */
function parsed(lines: string[]): unknown[] {
  // newman says the legacy `request` is deprecated, in a console line of its own.
  return lines
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l.replace(/n=\d+/g, 'n=<drawn>')) as unknown)
}

describe('pm.request and pm.response in scripts show what newman shows', { timeout: NEWMAN_TEST_MS }, () => {
  it('flightdeck run: pre-request scripts see the request as written, test scripts the request as sent', async () => {
    const theirs = parsed(await newmanLines())
    const ours = parsed(await runLines())
    // Six requests: a pre line each, a request line and a response line each in the test script.
    expect(theirs).toHaveLength(18)
    expect(ours).toEqual(theirs)
  })

  it('a test script that reaches pm.request without naming it sees the request as sent too', async () => {
    const sent = await service.invoke('request.send', {
      request: { method: 'GET', url: '{{base}}/hidden', headers: [], body: { kind: 'none' }, options: {} },
      auth: { type: 'none' },
      scripts: {
        preRequest: `pm.variables.set('base', '${baseUrl}')`,
        test: "var k = 'quest'; console.log(pm['re' + k].url.toString())",
        translated: false,
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const [, post] = await scriptEvents(sent.value.sids[0] as string)
    expect(post?.report.console.map((l) => l.text)).toEqual([`${baseUrl}/hidden`])
  })

  it('a send from the app (and flightdeck send --collection) sees the same', async () => {
    const theirs = parsed(await newmanLines())
    const ours = parsed(await sendLines())
    expect(ours).toEqual(theirs)
  })
})
