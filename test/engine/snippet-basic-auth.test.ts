import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { grpcurlCommand } from '../../src/renderer/grpc/grpc-messages'
import { isolatedService } from './helpers'

/**
 * Copy as curl and Copy as grpcurl of a request with Basic auth `ada:{{pw}}`: a snippet leaves a secret (and a
 * variable no environment defines) as `{{pw}}`, so the person fills it in. Basic wrote the base64 of the braces,
 * which nobody can fill in: the command, with `{{pw}}` replaced as a person would, still sent `ada:{{pw}}`.
 */

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')

let root: string
let dir: string
let service: EngineService
let server: Server
let url: string
const received: (string | undefined)[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fd-snippet-basic-'))
  server = createServer((req, res) => {
    received.push(req.headers.authorization)
    res.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = join(root, 'c')
  mkdirSync(dir)
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: basic\n')
  const request = (user: string, pw: string): string =>
    `name: R\nmethod: GET\nurl: '${url}/who'\nauth:\n  type: basic\n  username: ${JSON.stringify(user)}\n  password: ${JSON.stringify(pw)}\n`
  writeFileSync(join(dir, 'secret.yaml'), request('ada', '{{pw}}'))
  writeFileSync(join(dir, 'undefined.yaml'), request('ada', "{{nobody}}x'y"))
  writeFileSync(join(dir, 'plain.yaml'), request('{{user}}', '{{open}}'))
  service = isolatedService(root)
  const opened = await service.invoke('collection.open', { dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
  const saved = await service.invoke('environment.save', {
    dir,
    id: 'dev',
    name: 'Dev',
    variables: [
      { name: 'pw', value: 's3cret', secret: true },
      { name: 'user', value: 'ada', secret: false },
      { name: 'open', value: 'lovelace', secret: false },
    ],
  })
  if (!saved.ok) throw new Error(saved.error.message)
})

afterAll(async () => {
  await service.dispose()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(root, { recursive: true, force: true })
})

async function curlOf(path: string): Promise<string> {
  const r = await service.invoke('export.request', { dir, path, target: 'curl', env: 'dev' })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.text
}

/** Runs a shell command (bounded: 10 s) and returns the Authorization header the server got from it. */
async function authorizationSentBy(command: string): Promise<string | undefined> {
  const before = received.length
  await new Promise<void>((resolve, reject) =>
    execFile('sh', ['-c', command], { timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
  )
  expect(received.length).toBe(before + 1)
  return received[before]
}

describe('Basic auth holding a {{variable}} in snippets', () => {
  it('Copy as curl writes --user with the secret left as {{pw}}; filled in, curl sends its Basic header', async () => {
    const text = await curlOf('secret.yaml')
    expect(text).toContain("--user 'ada:{{pw}}'")
    expect(text).not.toContain(b64('ada:{{pw}}'))
    expect(text).not.toMatch(/Authorization/i)
    expect(text).not.toContain('s3cret')
    expect(await authorizationSentBy(text.replace('{{pw}}', 's3cret'))).toBe(`Basic ${b64('ada:s3cret')}`)
  })

  it('a variable no environment defines is left for the person too, its quote kept', async () => {
    const text = await curlOf('undefined.yaml')
    expect(text).toContain(`--user 'ada:{{nobody}}x'\\''y'`)
    expect(await authorizationSentBy(text.replace('{{nobody}}', 'n'))).toBe(`Basic ${b64("ada:nx'y")}`)
  })

  it('credentials filled in from the environment are encoded as a send encodes them', async () => {
    const text = await curlOf('plain.yaml')
    expect(text).toContain(`--header 'Authorization: Basic ${b64('ada:lovelace')}'`)
    expect(await authorizationSentBy(text)).toBe(`Basic ${b64('ada:lovelace')}`)
  })

  it('other code says what to encode instead of encoding the braces', async () => {
    const r = await service.invoke('export.request', {
      dir,
      path: 'secret.yaml',
      target: 'python-requests',
      env: 'dev',
    })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.text).toContain('Basic <base64 of ada:{{pw}}>')
    expect(r.value.text).not.toContain(b64('ada:{{pw}}'))
  })

  it('Copy as grpcurl encodes the credentials in the shell once {{pw}} is filled in', async () => {
    const call = await service.invoke('grpc.grpcurl', {
      target: 'grpc://127.0.0.1:50051',
      metadata: [{ name: 'x-trace', value: 't1', enabled: true }],
      message: '{}',
      auth: { type: 'basic', username: 'ada', password: '{{pw}}' },
      context: { dir, path: 'secret.yaml', env: 'dev' },
    })
    if (!call.ok) throw new Error(call.error.message)
    const command = grpcurlCommand({
      target: call.value.target,
      plaintext: true,
      insecure: false,
      metadata: call.value.metadata,
      ...(call.value.basic !== undefined ? { basic: call.value.basic } : {}),
      protoFiles: [],
      importPaths: [],
      deadlineS: null,
      method: 'pkg.Svc/M',
      message: call.value.message,
    })
    expect(command).toContain(`'ada:{{pw}}'`)
    expect(command).not.toContain(b64('ada:{{pw}}'))
    expect(command).not.toContain('s3cret')
    // grpcurl is not installed: a shell function of that name prints the arguments the shell gives it.
    const words = await new Promise<string[]>((resolve, reject) =>
      execFile(
        'sh',
        [
          '-c',
          `grpcurl() { for a in "$@"; do printf '%s\\n' "$a"; done; }; ${command.replace('{{pw}}', 's3cret')}`,
        ],
        { timeout: 10_000 },
        (e, out) => (e ? reject(e) : resolve(out.trimEnd().split('\n'))),
      ),
    )
    expect(words).toEqual([
      '-plaintext',
      '-H',
      'x-trace: t1',
      '-H',
      `authorization: Basic ${b64('ada:s3cret')}`,
      '-d',
      '{}',
      '127.0.0.1:50051',
      'pkg.Svc/M',
    ])
  })
})
