import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SnippetTarget } from '../../src/shared/body-view'
import { sentAndRow } from './copy-as-helpers'
import type { Arrived } from './import-formats-helpers'
import { useImportTarget } from './import-formats-helpers'

/**
 * A timeline row's Copy as in the languages beyond curl, fetch, Python and Go (omit-default-headers-copy.test.ts),
 * for a request sent without Flightdeck's default headers (`omitDefaultHeaders`): each code tells its tool not to
 * send the ones the tool adds of its own (axios `false`, PHP's libcurl an empty header, Ruby a deleted one), or
 * says on its first line which it sends anyway (OkHttp's, PowerShell's); C#'s HttpClient adds none. PHP's code is
 * libcurl's, so the same empty headers are run through curl against the 127.0.0.1:0 stub (no PHP, Ruby, axios,
 * OkHttp or PowerShell on this machine).
 */

const t = useImportTarget('fd-omit-default-headers-more')

const LEFT_OUT = ['user-agent', 'accept', 'accept-encoding', 'content-type'] as const

function writeCollection(dir: string, base: string): void {
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Bare\n')
  const file = (name: string, omit: readonly string[]): void =>
    writeFileSync(
      join(dir, `${name}.yaml`),
      [
        `name: ${name}`,
        'method: POST',
        `url: '${base}/${name}'`,
        'headers:',
        '  - { name: X-Kept, value: "1", enabled: true }',
        'body:',
        '  kind: json',
        `  text: '{"city": "Lyon"}'`,
        ...(omit.length ? ['options:', `  omitDefaultHeaders: [${omit.join(', ')}]`] : []),
        '',
      ].join('\n'),
    )
  file('bare', LEFT_OUT)
  file('plain', [])
}

/** The collection written and opened, the request sent; what arrived, and its row's Copy as in each target. */
async function sentWithRow(
  name: 'bare' | 'plain',
  targets: readonly SnippetTarget[],
): Promise<{ ours: Arrived; codes: string[] }> {
  writeCollection(t.dir, t.stub.url)
  const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!open.ok) throw new Error(open.error.message)
  return sentAndRow(t, `${name}.yaml`, targets)
}

const TARGETS = [
  'node:axios',
  'php:curl',
  'ruby:native',
  'java:okhttp',
  'powershell:restmethod',
  'csharp:httpclient',
] as const

/**
 * PHP's code as the curl command that makes the same libcurl calls: CURLOPT_ENCODING "" is --compressed, each
 * CURLOPT_HTTPHEADER entry a --header, CURLOPT_POSTFIELDS the body (bounded: 10 s); what arrived.
 */
async function ranAsLibcurl(php: string): Promise<Arrived> {
  const url = /CURLOPT_URL => "([^"]+)"/.exec(php)?.[1]
  const body = /CURLOPT_POSTFIELDS => '([^']*)'/.exec(php)?.[1]
  const list = /CURLOPT_HTTPHEADER => \[\n([\s\S]*?)\n {2}\]/.exec(php)?.[1] ?? ''
  const headers = [...list.matchAll(/'([^']*)'/g)].map((m) => m[1] as string)
  if (!url || body === undefined || !php.includes('CURLOPT_ENCODING => ""')) throw new Error(`unread: ${php}`)
  const args = ['--silent', '--show-error', '--output', '/dev/null', '--compressed', '--request', 'POST']
  // The curl tool sets a User-Agent (curl/…); PHP's libcurl has none unless CURLOPT_USERAGENT is set.
  args.push('--user-agent', '')
  for (const h of headers) args.push('--header', h)
  args.push('--data-binary', body, url)
  const before = t.stub.arrived.length
  await new Promise<void>((resolve, reject) =>
    execFile('curl', args, { timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
  )
  const got = t.stub.arrived[before]
  if (!got) throw new Error('curl sent nothing')
  return got
}

const NOTE = /^(\/\/|#) Flightdeck sends no /

describe("a timeline row's Copy as of a request sent without the default headers, in the other languages", () => {
  it('axios sets each to false, PHP empties them (run through libcurl: none arrives), Ruby deletes them', async () => {
    const { ours, codes } = await sentWithRow('bare', ['node:axios', 'php:curl', 'ruby:native'])
    const [axios, php, ruby] = codes as [string, string, string]
    for (const name of LEFT_OUT) expect(ours.headers[name], `Send ${name}`).toBeUndefined()
    expect(axios).toContain(
      "headers: {'X-Kept': '1', 'User-Agent': false, Accept: false, 'Accept-Encoding': false}",
    )
    expect(axios).not.toMatch(NOTE)
    for (const line of ["'Content-Type: ',", "'Accept: ',", "'Accept-Encoding: '"])
      expect(php).toContain(line)
    expect(php).not.toContain('User-Agent')
    const theirs = await ranAsLibcurl(php)
    for (const name of LEFT_OUT) expect(theirs.headers[name], `PHP ${name}`).toBeUndefined()
    expect(theirs.body).toBe(ours.body)
    expect(theirs.headers['x-kept']).toBe('1')
    for (const name of ['User-Agent', 'Accept', 'Accept-Encoding'])
      expect(ruby).toContain(`\nrequest.delete("${name}")\n`)
    expect(ruby).not.toMatch(/request\['(User-Agent|Accept|Accept-Encoding)'\] = /)
  })

  it('Java and PowerShell name on their first line what they add anyway; Java and C# send the body untyped', async () => {
    const { codes } = await sentWithRow('bare', ['java:okhttp', 'powershell:restmethod', 'csharp:httpclient'])
    const [java, powershell, csharp] = codes as [string, string, string]
    expect(java).toMatch(/^\/\/ Flightdeck sends no User-Agent, Accept-Encoding here; OkHttp adds its own\n/)
    expect(java).toContain('MediaType mediaType = null;')
    expect(powershell).toMatch(
      /^# Flightdeck sends no User-Agent, Accept-Encoding, Content-Type here; Invoke-RestMethod adds its own\n/,
    )
    expect(powershell).toContain('-Body \'{"city": "Lyon"}\'')
    expect(csharp).not.toMatch(NOTE)
    expect(csharp).toContain('ContentType = null')
    expect(csharp).not.toMatch(/User-Agent|Accept/)
  })

  it('a request sent with the default headers is copied with no note and nothing left out', async () => {
    const targets = TARGETS
    const { codes } = await sentWithRow('plain', targets)
    for (const [i, code] of codes.entries()) {
      expect(code, targets[i]).not.toMatch(NOTE)
      expect(code, targets[i]).not.toMatch(/: false|request\.delete|'Accept: '|= null/)
    }
  })
})
