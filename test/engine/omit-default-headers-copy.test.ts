import { execFile, execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SnippetTarget } from '../../src/shared/collection-schemas'
import { sentAndRow } from './copy-as-helpers'
import type { Arrived } from './import-formats-helpers'
import { useImportTarget } from './import-formats-helpers'

/**
 * A request that leaves out Flightdeck's default headers (`omitDefaultHeaders`: user-agent, accept,
 * accept-encoding, content-type), copied as code from the composer (export.request) and from its timeline row
 * (session.snippet): the code, run by the real tool against a stub, sends none of them where the tool can be told
 * not to (curl, Python requests), and says in a comment which it sends anyway where it cannot (fetch; Go's
 * Accept-Encoding). The body goes out as Send sent it, with no Content-Type (fetch's too: a Blob with no type).
 */

const t = useImportTarget('fd-omit-default-headers')

const LEFT_OUT = ['user-agent', 'accept', 'accept-encoding', 'content-type'] as const
const BODY = '{"city": "Lyon", "note": "it\'s \\u00e9t\\u00e9"}\n'

function writeCollection(dir: string, base: string): void {
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Bare\n')
  writeFileSync(
    join(dir, 'bare.yaml'),
    [
      'name: bare',
      'method: POST',
      `url: '${base}/bare'`,
      'headers:',
      '  - { name: X-Kept, value: "1", enabled: true }',
      'body:',
      '  kind: text',
      '  contentType: text/plain',
      `  text: ${JSON.stringify(BODY)}`,
      'options:',
      `  omitDefaultHeaders: [${LEFT_OUT.join(', ')}]`,
      '',
    ].join('\n'),
  )
  // A JSON body holding the header's own name: httpsnippet writes it as a dict before the headers' one.
  writeFileSync(
    join(dir, 'keyed.yaml'),
    [
      'name: keyed',
      'method: POST',
      `url: '${base}/keyed'`,
      'body:',
      '  kind: json',
      `  text: '{"User-Agent": ""}'`,
      'options:',
      '  omitDefaultHeaders: [user-agent]',
      '',
    ].join('\n'),
  )
}

const hasPython = ((): boolean => {
  try {
    execFileSync('python3', ['-c', 'import requests'], { stdio: 'ignore', timeout: 10_000 })
    return true
  } catch {
    return false
  }
})()

/** Code run by its tool (bounded: 15 s); what arrived at the stub. */
async function ran(tool: 'curl' | 'node' | 'python3', code: string): Promise<Arrived> {
  const file = join(t.dir, tool === 'node' ? 'copied.mjs' : tool === 'python3' ? 'copied.py' : 'copied.sh')
  writeFileSync(file, tool === 'curl' ? `${code} --silent --show-error --output /dev/null\n` : code)
  const before = t.stub.arrived.length
  const [cmd, args] = tool === 'curl' ? ['sh', [file]] : [tool, [file]]
  await new Promise<void>((resolve, reject) =>
    execFile(cmd, args, { timeout: 15_000 }, (e) => (e ? reject(e) : resolve())),
  )
  const got = t.stub.arrived[before]
  if (!got) throw new Error(`${tool} sent nothing`)
  return got
}

async function opened(): Promise<void> {
  writeCollection(t.dir, t.stub.url)
  const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!open.ok) throw new Error(open.error.message)
}

async function composerCode(target: SnippetTarget): Promise<string> {
  const r = await t.service.invoke('export.request', { dir: t.dir, path: 'bare.yaml', target })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.text
}

/** What Send sent, as a tool sent it too: none of the left-out headers, the same body, the typed header. */
function expectAsSent(
  theirs: Arrived,
  ours: Arrived,
  what: string,
  left: readonly string[] = LEFT_OUT,
): void {
  for (const name of LEFT_OUT) expect(ours.headers[name], `Send ${name}`).toBeUndefined()
  for (const name of left) expect(theirs.headers[name], `${what} ${name}`).toBeUndefined()
  expect(theirs.body, what).toBe(ours.body)
  expect(theirs.headers['x-kept'], what).toBe('1')
}

const FETCH_NOTE = /^\/\/ Flightdeck sends no User-Agent, Accept, Accept-Encoding here; fetch adds its own/

describe('Copy as of a request that leaves out the default headers', () => {
  it('from the composer: curl and Python send none of them; Go sends no User-Agent and says what it adds', async () => {
    await opened()
    const { ours } = await sentAndRow(t, 'bare.yaml', [])
    expectAsSent(await ran('curl', await composerCode('curl')), ours, 'curl')
    if (hasPython) expectAsSent(await ran('python3', await composerCode('python-requests')), ours, 'python')
    const go = await composerCode('go')
    expect(go).toContain('req.Header.Add("User-Agent", "")')
    expect(go).toMatch(/^\/\/ Flightdeck sends no Accept-Encoding here; Go's http\.Transport adds its own/)
  })

  it('from the composer: fetch sends the body untyped, as Send does, and says which of them it adds', async () => {
    await opened()
    const { ours } = await sentAndRow(t, 'bare.yaml', [])
    const fetchCode = await composerCode('javascript-fetch')
    expectAsSent(await ran('node', fetchCode), ours, 'fetch', ['content-type'])
    expect(fetchCode).toMatch(FETCH_NOTE)
  })

  it('from its timeline row: the same, as it was sent', async () => {
    await opened()
    const targets = ['shell:curl', 'python:requests', 'javascript:fetch', 'go:native'] as const
    const { ours, codes } = await sentAndRow(t, 'bare.yaml', targets)
    const [curl, python, fetchCode, go] = codes as [string, string, string, string]
    expectAsSent(await ran('curl', curl), ours, 'curl')
    if (hasPython) expectAsSent(await ran('python3', python), ours, 'python')
    expectAsSent(await ran('node', fetchCode), ours, 'fetch', ['content-type'])
    expect(fetchCode).toMatch(FETCH_NOTE)
    expect(go).toContain('req.Header.Add("User-Agent", "")')
  })

  it.skipIf(!hasPython)('as Python leaves a JSON body holding the same key as it is', async () => {
    await opened()
    const r = await t.service.invoke('export.request', {
      dir: t.dir,
      path: 'keyed.yaml',
      target: 'python-requests',
    })
    if (!r.ok) throw new Error(r.error.message)
    const theirs = await ran('python3', r.value.text)
    expect(JSON.parse(theirs.body)).toEqual({ 'User-Agent': '' })
    expect(theirs.headers['user-agent']).toBeUndefined()
  })
})
