import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Variable } from '../../src/shared/collection'
import type { RequestSpec } from '../../src/shared/request'
import type { Result } from '../../src/shared/result'
import { bodyText, done, openCatalogue, spec, underFault, type Catalogue } from './harness'

/**
 * The template half of the fault catalogue: variable values that look like code or templates are inserted as
 * text, never evaluated, and variable names that are JavaScript's own property names pollute nothing.
 */

let cat: Catalogue
let dir: string

beforeAll(async () => {
  cat = await openCatalogue()
  dir = join(cat.tmp, 'templates')
  const opened = await cat.service.invoke('collection.open', { dir, create: true, name: 'Templates' })
  if (!opened.ok) throw new Error(opened.error.message)
})
afterAll(async () => {
  await cat.close()
})

interface Echo {
  url: string
  headers: Record<string, string>
  body: string
}

const v = (name: string, value: string): Variable => ({ name, value, secret: false })

async function setEnvironment(variables: Variable[]): Promise<void> {
  const r = await cat.service.invoke('environment.save', { dir, id: 'tricky', name: 'Tricky', variables })
  if (!r.ok) throw new Error(r.error.message)
}

/** Send through `request.send` (variables resolved by the engine) in the collection's `tricky` environment. */
async function sendResolved(request: RequestSpec): Promise<Result<Echo>> {
  const r = await cat.service.invoke('request.send', {
    request,
    auth: { type: 'none' },
    context: { dir, path: 'probe.yaml', env: 'tricky' },
  })
  if (!r.ok) return r
  const result = await cat.service.http.waitFor(r.value.sids[0] as string)
  return { ok: true, value: JSON.parse(await bodyText(cat.service, done(result))) as Echo }
}

function echoed(r: Result<Echo>): Echo {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value
}

const echoRequest = (header: string, body: string): RequestSpec =>
  spec(`${cat.http.url}/echo`, {
    method: 'POST',
    headers: [{ name: 'X-Value', value: header, enabled: true }],
    body: { kind: 'text', text: body, contentType: 'text/plain' },
  })

describe('templates', () => {
  it('{{constructor}}, {{__proto__}} and {{toString}} are unknown names, not object properties', async () => {
    await setEnvironment([v('base', cat.http.url)])
    const echoes = (): number => cat.http.requests.filter((q) => q.url.startsWith('/echo')).length
    const before = echoes()
    const run = await underFault(cat, () =>
      sendResolved(spec('{{base}}/echo?a={{constructor}}&b={{__proto__}}&c={{toString}}')),
    )
    expect(run.value).toEqual({
      ok: false,
      error: {
        code: 'unknown_variable',
        message: 'Unknown variables {{constructor}}, {{__proto__}}, {{toString}} (environment "tricky")',
        unknown: ['constructor', '__proto__', 'toString'],
      },
    })
    expect(echoes()).toBe(before)
  })

  it('a value like ${process.env.HOME} or a JS expression is sent as text', async () => {
    const code = '${process.env.HOME} `${1+1}` <%= 7*7 %> #{7*7} {{ 7*7 }}'
    await setEnvironment([v('code', code)])
    const run = await underFault(cat, () => sendResolved(echoRequest('{{code}}', 'body={{code}}')))
    const echo = echoed(run.value)
    expect(echo.headers['x-value']).toBe(code)
    expect(echo.body).toBe(`body=${code}`)
  })

  it('a value that looks like a template ({{constructor}}, {{__proto__}}, an unknown name) is sent as that text', async () => {
    const looksLike = 'hello {{constructor}} {{__proto__}} {{nobody}}'
    await setEnvironment([v('greeting', looksLike)])
    const run = await underFault(cat, () => sendResolved(echoRequest('{{greeting}}', '{{greeting}}')))
    const echo = echoed(run.value)
    expect(echo.headers['x-value']).toBe(looksLike)
    expect(echo.body).toBe(looksLike)
  })

  it('variables named __proto__ and constructor.prototype are plain variables and pollute nothing', async () => {
    await setEnvironment([
      v('__proto__', '{"polluted":true}'),
      v('constructor.prototype', 'polluted'),
      v('polluted', 'only-a-variable'),
    ])
    const run = await underFault(cat, () =>
      sendResolved(echoRequest('{{__proto__}}|{{constructor.prototype}}|{{polluted}}', '{{__proto__}}')),
    )
    const echo = echoed(run.value)
    expect(echo.headers['x-value']).toBe('{"polluted":true}|polluted|only-a-variable')
    expect(echo.body).toBe('{"polluted":true}')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    // The environment file holds them as data, and reads back the same.
    const text = readFileSync(join(dir, 'environments', 'tricky.yaml'), 'utf8')
    expect(text).toContain('__proto__')
    const listed = await cat.service.invoke('variables.list', {
      context: { dir, path: 'probe.yaml', env: 'tricky' },
    })
    if (!listed.ok) throw new Error(listed.error.message)
    const names = listed.value.variables
      .filter((x) => x.scope === 'environment')
      .map((x) => [x.name, x.value])
    expect(names).toEqual([
      ['__proto__', '{"polluted":true}'],
      ['constructor.prototype', 'polluted'],
      ['polluted', 'only-a-variable'],
    ])
  })

  it('a prototype-pollution JSON body is sent as text and never parsed into objects', async () => {
    const payload = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'
    await setEnvironment([v('payload', payload)])
    const run = await underFault(cat, () =>
      sendResolved(
        spec(`${cat.http.url}/echo`, { method: 'POST', body: { kind: 'json', text: '{{payload}}' } }),
      ),
    )
    expect(echoed(run.value).body).toBe(payload)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  // A 10^8-fold expansion is refused once the substituted text passes 32 MiB, before anything is sent.
  it('variables that expand each other exponentially are stopped, not evaluated forever', async () => {
    // "Billion laughs": each level repeats the one below ten times.
    const vars = [v('l0', 'ha')]
    for (let i = 1; i <= 8; i++) vars.push(v(`l${i}`, `{{l${i - 1}}}`.repeat(10)))
    await setEnvironment(vars)
    const run = await underFault(cat, () => sendResolved(echoRequest('{{l8}}', '')))
    expect(run.value.ok).toBe(false)
    if (!run.value.ok) {
      expect(run.value.error.code).toBe('invalid_request')
      expect(run.value.error.message).toBe(
        'Variables expand to more than 32 MiB (starting from {{l8}}); check for variables that repeat each other',
      )
    }
  })

  // A 1 MiB value used 40 times: one variable repeated, not variables repeating each other; the cut says which.
  it('a variable used many times over is named at the cut with its count and size', async () => {
    await setEnvironment([v('page', 'x'.repeat(1024 * 1024))])
    const echoes = (): number => cat.http.requests.filter((q) => q.url.startsWith('/echo')).length
    const before = echoes()
    const run = await underFault(cat, () => sendResolved(echoRequest('', '{{page}}'.repeat(40))))
    expect(run.value.ok).toBe(false)
    if (!run.value.ok) {
      expect(run.value.error.code).toBe('invalid_request')
      expect(run.value.error.message).toBe(
        'Variables expand to more than 32 MiB: {{page}} is used 33 times in this request, 33.0 MiB in all (1.0 MiB a use); use it fewer times',
      )
    }
    expect(echoes()).toBe(before)
  })
})
