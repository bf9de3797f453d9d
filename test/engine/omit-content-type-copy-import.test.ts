import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SnippetTarget } from '../../src/shared/collection-schemas'
import { ranCurl, sentAndRow } from './copy-as-helpers'
import type { Arrived } from './import-formats-helpers'
import { importText, savedRequest, sendSaved, useImportTarget } from './import-formats-helpers'

/**
 * A request whose body goes out with no Content-Type (`omitDefaultHeaders` names `content-type`): its Copy as
 * curl, run by the real curl, sends the same bytes with no Content-Type, as Send does (curl's --data added
 * form-urlencoded), and the other code writes none; a Postman collection whose `disabledSystemHeaders` switches
 * off content-type and cache-control (lower-cased, `true`, on a folder and a request, as Postman writes it) is
 * imported with both left out, and its request arrives with no Content-Type.
 */

const t = useImportTarget('fd-omit-content-type')

function writeCollection(dir: string, base: string): void {
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Untyped\n')
  const file = (name: string, body: string[], headers: string[] = [], omit = '[content-type]'): void =>
    writeFileSync(
      join(dir, `${name}.yaml`),
      [
        `name: ${name}`,
        'method: POST',
        `url: '${base}/${name}'`,
        ...(headers.length ? ['headers:', ...headers] : []),
        'body:',
        ...body,
        'options:',
        `  omitDefaultHeaders: ${omit}`,
        '',
      ].join('\n'),
    )
  file('json', ['  kind: json', `  text: '{"total": 3}'`])
  file('form', ['  kind: form', '  fields:', '    - { name: a b, value: "1&2", enabled: true }'])
  file(
    'typed',
    ['  kind: json', `  text: '{}'`],
    ['  - { name: Content-Type, value: text/x-mine, enabled: true }'],
  )
  file('plain', ['  kind: json', `  text: '{}'`], [], '[]')
}

async function snippetOf(name: string, target: SnippetTarget): Promise<string> {
  const r = await t.service.invoke('export.request', { dir: t.dir, path: `${name}.yaml`, target })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.text
}

/** The request's Copy as curl (the Code dialog's), run by curl; what arrived. */
async function curlSent(name: string): Promise<Arrived> {
  return ranCurl(t, await snippetOf(name, 'curl'))
}

/** The request sent, then its timeline row's Copy as curl run by curl: what each sent. */
async function rowSent(name: string): Promise<{ ours: Arrived; theirs: Arrived }> {
  const { ours, codes } = await sentAndRow(t, `${name}.yaml`, ['shell:curl'])
  return { ours, theirs: await ranCurl(t, codes[0] as string) }
}

describe('Copy as of a request that sends its body with no Content-Type', () => {
  it('as curl sends the same body with no Content-Type, as Send does, for a JSON and a form body', async () => {
    writeCollection(t.dir, t.stub.url)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    for (const name of ['json', 'form']) {
      const ours = await sendSaved(t.service, t.stub, t.dir, `${name}.yaml`)
      const theirs = await curlSent(name)
      expect(ours.headers['content-type'], name).toBeUndefined()
      expect(theirs.headers['content-type'], name).toBeUndefined()
      expect(theirs.body, name).toBe(ours.body)
    }
    expect((await sendSaved(t.service, t.stub, t.dir, 'form.yaml')).body).toBe('a+b=1%262')
    // A Content-Type typed by hand still goes out, in the snippet as in Send.
    const typed = await curlSent('typed')
    expect(typed.headers['content-type']).toBe('text/x-mine')
    expect((await sendSaved(t.service, t.stub, t.dir, 'typed.yaml')).headers['content-type']).toBe(
      'text/x-mine',
    )
  })

  it('from its timeline row, as curl, sends the same body with no Content-Type, as it was sent', async () => {
    writeCollection(t.dir, t.stub.url)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    for (const name of ['json', 'form']) {
      const { ours, theirs } = await rowSent(name)
      expect(ours.headers['content-type'], name).toBeUndefined()
      expect(theirs.headers['content-type'], name).toBeUndefined()
      expect(theirs.body, name).toBe(ours.body)
    }
    // A body sent with the engine's own type is copied with it.
    const plain = await rowSent('plain')
    expect(plain.ours.headers['content-type']).toBe('application/json')
    expect(plain.theirs.headers['content-type']).toBe('application/json')
  })

  it('as fetch, Python requests and Go writes no Content-Type (and no json=, which would add one)', async () => {
    writeCollection(t.dir, t.stub.url)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    for (const target of ['javascript-fetch', 'python-requests', 'go'] as const)
      for (const name of ['json', 'form']) {
        const code = await snippetOf(name, target)
        expect(code, `${target} ${name}`).not.toMatch(/content-type|json=|URLSearchParams|urlencoded/i)
      }
    expect(await snippetOf('form', 'python-requests')).toContain('payload = "a+b=1%262"')
  })
})

function postman(base: string): unknown {
  const post = (name: string, body: unknown, profile?: unknown): unknown => ({
    name,
    ...(profile === undefined ? {} : { protocolProfileBehavior: profile }),
    request: {
      method: 'POST',
      header: [],
      body,
      url: { raw: `{{base}}/${name}`, host: ['{{base}}'], path: [name] },
    },
    response: [],
  })
  const json = { mode: 'raw', raw: '{\r\n    "count": 3\r\n}', options: { raw: { language: 'json' } } }
  return {
    info: {
      _postman_id: '0b6f3e2a-7c1d-4f5e-9a8b-3c2d1e0f4a5b',
      name: 'System headers',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: [
      {
        name: 'Raw',
        protocolProfileBehavior: { disabledSystemHeaders: { 'cache-control': true } },
        item: [
          post('untyped', json, { disabledSystemHeaders: { 'content-type': true, 'cache-control': true } }),
          post('typed', json),
        ],
      },
    ],
    variable: [{ key: 'base', value: base }],
  }
}

describe("Postman's disabledSystemHeaders content-type and cache-control", () => {
  it('are left out of the imported request, which arrives with no Content-Type; the report names neither', async () => {
    mkdirSync(t.dir, { recursive: true })
    const report = await importText(JSON.stringify(postman(t.stub.url)), t.dir)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    expect((await savedRequest(t.dir, 'raw/untyped.yaml')).options?.omitDefaultHeaders).toEqual([
      'content-type',
      'cache-control',
    ])
    expect((await savedRequest(t.dir, 'raw/typed.yaml')).options?.omitDefaultHeaders).toEqual([
      'cache-control',
    ])
    const untyped = await sendSaved(t.service, t.stub, t.dir, 'raw/untyped.yaml')
    expect(untyped.headers['content-type']).toBeUndefined()
    expect(untyped.body).toBe('{\r\n    "count": 3\r\n}')
    const typed = await sendSaved(t.service, t.stub, t.dir, 'raw/typed.yaml')
    expect(typed.headers['content-type']).toBe('application/json')
    expect(report.unmapped.join('\n')).not.toMatch(/automatic|content-type|cache-control/i)
  })
})
