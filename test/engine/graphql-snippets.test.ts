import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createSchema, createYoga } from 'graphql-yoga'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import type { SnippetTarget } from '../../src/shared/collection-schemas'
import { makeService, spec } from './helpers'

const run = promisify(execFile)

/**
 * Code snippets of GraphQL requests, run as a person would paste them: the curl command by bash, the fetch
 * code by node, the requests code by python3, each against a real graphql-yoga server, which answers with the
 * text it was given. The request is what breaks naive escaping: several lines, `$id` variables, a `'`, quotes,
 * backslashes, backticks and non-ASCII text in the document and the variables.
 */

let server: { url: string; close(): Promise<void> }
let service: EngineService
let dir: string

const QUERY = [
  "# who's asking: $HOME `date` \\ ünïcode",
  'query Who($id: Int!, $text: String!) {',
  '  user(id: $id) { name }',
  '  said: echo(text: $text)',
  '  lit: echo(text: "tab\\there $x \'q\' \\"dq\\"")',
  '  note: header(name: "x-note")',
  '  auth: header(name: "authorization")',
  '}',
  'query Other { said: echo(text: "other") }',
].join('\n')

/** Variables as typed: `{{userId}}` filled in, and text that shells and string literals mangle. */
const VARIABLES = '{"id": {{userId}}, "text": "it\'s \\"quoted\\" \\\\ $HOME `date` ünïcode\\n2nd line"}'

const ANSWER = {
  data: {
    user: { name: 'user 4' },
    said: 'it\'s "quoted" \\ $HOME `date` ünïcode\n2nd line',
    lit: 'tab\there $x \'q\' "dq"',
    note: `it's "here"`,
    auth: 'Bearer tok-5',
  },
}

/** A graphql-yoga server of its own whose answers show what arrived: the text it was given, a header. */
async function startEchoServer(): Promise<{ url: string; close(): Promise<void> }> {
  const yoga = createYoga({
    logging: false,
    maskedErrors: false,
    schema: createSchema({
      typeDefs: `
        type User { name: String! }
        type Query { user(id: Int!): User, echo(text: String!): String!, header(name: String!): String }
      `,
      resolvers: {
        Query: {
          user: (_: unknown, { id }: { id: number }) => ({ name: `user ${id}` }),
          echo: (_: unknown, { text }: { text: string }) => text,
          header: (_: unknown, { name }: { name: string }, ctx: { request: Request }) =>
            ctx.request.headers.get(name),
        },
      },
    }),
  })
  const http = createServer(yoga)
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`,
    close: () =>
      new Promise<void>((r) => {
        http.close(() => r())
        http.closeAllConnections()
      }),
  }
}

beforeAll(async () => {
  server = await startEchoServer()
  dir = mkdtempSync(join(tmpdir(), 'fd-gql-snip-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Snippets\nvariables:\n  base: ${server.url.replace(/\/graphql$/, '')}\n  userId: "4"\n`,
  )
  writeFileSync(
    join(dir, 'who.yaml'),
    [
      'name: Who',
      'kind: graphql',
      'method: POST',
      'url: "{{base}}/graphql"',
      'headers:',
      '  - name: X-Note',
      `    value: 'it''s "here"'`,
      'auth:',
      '  type: bearer',
      '  token: tok-5',
      'graphql:',
      '  query: |',
      ...QUERY.split('\n').map((l) => `    ${l}`),
      '  variables: |',
      `    ${VARIABLES}`,
      '  operationName: Who',
      '',
    ].join('\n'),
  )
  service = makeService({ configDir: join(dir, '.config'), persistWorkspace: false, watchCollections: false })
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
})

afterAll(async () => {
  await service.dispose()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

async function savedSnippet(target: SnippetTarget): Promise<string> {
  const r = await service.invoke('export.request', { dir, path: 'who.yaml', target })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value.text
}

/** The snippet run as pasted; what it printed, as JSON. */
async function runSnippet(target: SnippetTarget, code: string): Promise<unknown> {
  if (target === 'curl') {
    const { stdout } = await run('bash', ['-c', code], { timeout: 20_000 })
    return JSON.parse(stdout)
  }
  if (target === 'javascript-fetch') {
    // The snippet logs the parsed result; print it as JSON to compare it.
    const js = code.replace(
      '.then(res => console.log(res))',
      '.then(res => console.log(JSON.stringify(res)))',
    )
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', js], { timeout: 20_000 })
    return JSON.parse(stdout)
  }
  const { stdout } = await run('python3', ['-c', code], { timeout: 20_000 })
  return JSON.parse(stdout)
}

describe('GraphQL code snippets', () => {
  it.each(['curl', 'javascript-fetch', 'python-requests'] as const)(
    'a saved POST query as %s: the body is {query, variables, operationName}, escaped; run, the server answers',
    async (target) => {
      const code = await savedSnippet(target)
      expect(code).toContain('operationName')
      expect(await runSnippet(target, code)).toEqual(ANSWER)
    },
  )

  it('an unsaved query by GET (the composer): its parameters in the query string, variables filled in', async () => {
    const r = await service.invoke('draft.snippet', {
      request: spec('{{base}}/graphql', {
        method: 'GET',
        headers: [{ name: 'X-Note', value: 'by get', enabled: true }],
      }),
      auth: { type: 'none' },
      context: { dir, path: 'who.yaml' },
      target: 'curl',
      graphql: {
        query: 'query Who($id: Int!) {\n  user(id: $id) { name }\n  note: header(name: "x-note")\n}',
        variables: '{ "id": {{userId}} }',
        operationName: 'Who',
      },
    })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.text).toMatch(/--request GET/)
    expect(r.value.text).toContain('variables=%7B%22id%22%3A4%7D&operationName=Who')
    expect(await runSnippet('curl', r.value.text)).toEqual({
      data: { user: { name: 'user 4' }, note: 'by get' },
    })
  })

  it("a timeline row's Copy as cURL (the query as sent) runs; its axios code carries the same body", async () => {
    const sent = await service.invoke('graphql.send', {
      url: '{{base}}/graphql',
      query: QUERY,
      variablesText: VARIABLES,
      operationName: 'Who',
      transport: 'http',
      headers: [{ name: 'X-Note', value: `it's "here"`, enabled: true }],
      auth: { type: 'bearer', token: 'tok-5' },
      context: { dir, path: 'who.yaml' },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const first = await service.http.waitFor(sent.value.sid)
    if (first.final.type !== 'done') throw new Error(first.final.type)
    const curl = await service.invoke('session.snippet', { sid: sent.value.sid, target: 'shell:curl' })
    if (!curl.ok) throw new Error(curl.error.message)
    expect(await runSnippet('curl', curl.value.code)).toEqual(ANSWER)
    // axios is not installed here: the code's options literal is evaluated, and its data is what axios sends.
    const axios = await service.invoke('session.snippet', { sid: sent.value.sid, target: 'node:axios' })
    if (!axios.ok) throw new Error(axios.error.message)
    const literal = /const options = (\{[\s\S]*?\n\});\n/.exec(axios.value.code)?.[1] ?? ''
    // The body goes as the text Send sent (snippet-escapes.ts), one string.
    const options = new Function(`return ${literal}`)() as { data: string }
    const data = JSON.parse(options.data) as { query: string; variables: unknown }
    expect(data.query).toBe(QUERY)
    expect(data.variables).toEqual({ id: 4, text: ANSWER.data.said })
  })

  it('a mutation by GET has no snippet, as Send refuses it', async () => {
    const r = await service.invoke('draft.snippet', {
      request: spec(`${server.url}`, { method: 'GET' }),
      auth: { type: 'none' },
      target: 'curl',
      graphql: { query: 'mutation Bump { bump }' },
    })
    expect(r.ok).toBe(false)
    if (!r.ok)
      expect(r.error.message).toBe('A mutation cannot be sent with GET (GraphQL over HTTP allows only POST)')
  })

  it('a subscription over a WebSocket has no snippet, and says why', async () => {
    const r = await service.invoke('draft.snippet', {
      request: spec(`${server.url}`, { method: 'POST' }),
      auth: { type: 'none' },
      target: 'curl',
      graphql: { query: 'subscription { count(to: 2) }', transport: 'ws' },
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/No snippet for GraphQL over ws/)
  })
})
