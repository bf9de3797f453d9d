import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppStore } from '../../src/renderer/store/app-store'
import { makeTestPki } from '../fixtures/certs'
import { record } from '../engine/stream-helpers'
import { PROTO_DIR, startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { openCollection, startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Copy as grpcurl from a request in a collection whose server has no reflection: the command names the protos
 * (the collection's, which the request does not name itself) as grpcurl finds them run from the collection
 * folder. grpcurl is not installed here, so the command is checked as grpcurl would read it: flags before the
 * address and method, and every -proto file (and every file it imports) found in an -import-path.
 */

let server: GrpcTestServer
let tlsServer: GrpcTestServer
let engine: TestEngine
let store: AppStore
let dir: string

const file = (rel: string, text: string): void => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true })
  writeFileSync(join(dir, rel), text)
}

/** A shell command of single-quoted words (as grpcurlCommand writes them) as its arguments. */
function shellWords(command: string): string[] {
  const words: string[] = []
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g
  for (let m = re.exec(command); m; m = re.exec(command)) {
    words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : (m[2] as string))
  }
  return words
}

interface Parsed {
  flags: [string, string | null][]
  positional: string[]
}

const VALUED = new Set(['-import-path', '-proto', '-H', '-d', '-max-time', '-cacert'])

function parse(words: string[]): Parsed {
  expect(words[0]).toBe('grpcurl')
  const flags: [string, string | null][] = []
  let i = 1
  while (i < words.length && (words[i] as string).startsWith('-')) {
    const f = words[i] as string
    if (VALUED.has(f)) {
      flags.push([f, words[i + 1] ?? null])
      i += 2
    } else {
      flags.push([f, null])
      i += 1
    }
  }
  return { flags, positional: words.slice(i) }
}

/** Where grpcurl (like protoc) finds `name`: the first import path that has it; google/protobuf is built in. */
function resolveIn(paths: string[], name: string): string | null {
  for (const p of paths) {
    const abs = join(dir, p, name)
    if (existsSync(abs)) return abs
  }
  return null
}

function everyFileFound(parsed: Parsed): string[] {
  const paths = parsed.flags.filter(([f]) => f === '-import-path').map(([, v]) => v as string)
  const protos = parsed.flags.filter(([f]) => f === '-proto').map(([, v]) => v as string)
  const found: string[] = []
  const todo = [...protos]
  for (let n = 0; todo.length > 0 && n < 100; n++) {
    const name = todo.shift() as string
    const abs = resolveIn(paths, name)
    expect(abs, `${name} is in none of ${paths.join(', ')}`).not.toBeNull()
    found.push(name)
    for (const m of readFileSync(abs as string, 'utf8').matchAll(/^import\s+"([^"]+)";/gm)) {
      const imp = m[1] as string
      if (!imp.startsWith('google/protobuf/') && !found.includes(imp)) todo.push(imp)
    }
  }
  return found
}

beforeAll(async () => {
  server = await startGrpcServer({ reflection: 'none' })
  dir = mkdtempSync(join(tmpdir(), 'fd-grpcurl-'))
  cpSync(PROTO_DIR, join(dir, 'protos'), { recursive: true })
  file(
    'collection.yaml',
    `flightdeck: 1\nname: Echo\nvariables:\n  bare: grpc://${server.target}\n  who: ada\n  token:\n    secret: true\ngrpc:\n  importPaths: [protos]\n  protoFiles: [echo.proto]\n`,
  )
  const say = (proto: string): string =>
    [
      'name: Say',
      'kind: grpc',
      'url: grpc://' + server.target,
      'headers:',
      '  - name: authorization',
      "    value: Bearer it's me",
      'messages:',
      '  - name: hello',
      `    text: '{"text": "hi"}'`,
      'grpc:',
      '  method: flightdeck.test.Echo/Say',
      ...proto.split('\n').filter(Boolean),
      '  deadlineMs: 2500',
      '',
    ].join('\n')
  file('g/say.yaml', say(''))
  // Its own proto named from the collection folder (in no import path), with one for what it imports.
  mkdirSync(join(dir, 'own'))
  cpSync(join(PROTO_DIR, 'echo.proto'), join(dir, 'own', 'echo.proto'))
  file('g/own.yaml', say('  proto: [own/echo.proto]\n  importPaths: [protos]'))
  // Named by its path from the collection folder, though inside an import path: named from that path.
  file('g/inside.yaml', say('  proto: [protos/echo.proto]'))
  // A TLS server whose certificate the collection's own CA signed; one request trusts it through its caFile,
  // one accepts any certificate.
  const pki = await makeTestPki()
  tlsServer = await startGrpcServer({
    reflection: 'none',
    credentials: grpc.ServerCredentials.createSsl(null, [
      { cert_chain: Buffer.from(pki.localhost.cert), private_key: Buffer.from(pki.localhost.key) },
    ]),
  })
  file('certs/ca.pem', pki.ca.cert)
  const tls = `grpcs://localhost:${tlsServer.port}`
  file('g/tls.yaml', say('').replace(`grpc://${server.target}`, tls) + 'options:\n  caFile: certs/ca.pem\n')
  file(
    'g/tls-insecure.yaml',
    say('').replace(`grpc://${server.target}`, tls) + 'options:\n  insecure: true\n',
  )
  // A folder whose Bearer token is a secret; its requests inherit it, or set Basic or Digest of their own.
  file('a/folder.yaml', 'auth:\n  type: bearer\n  token: "{{token}}"\n')
  const asWho = (auth: string): string =>
    `name: Who\nkind: grpc\nurl: "{{bare}}"\nheaders:\n  - name: x-user\n    value: "{{who}}"\nmessages:\n  - name: m\n    text: '{"text": "hi {{who}}"}'\ngrpc:\n  method: flightdeck.test.Echo/Say\n${auth}`
  file('a/inherits.yaml', asWho(''))
  file('a/basic.yaml', asWho('auth:\n  type: basic\n  username: "{{who}}"\n  password: pw\n'))
  file('a/digest.yaml', asWho('auth:\n  type: digest\n  username: ada\n  password: pw\n'))
  const oauth2 =
    'auth:\n  type: oauth2\n  grant: client_credentials\n  tokenUrl: http://127.0.0.1:9/token\n  clientId: app\n  clientSecret: s\n  scope: ""\n  clientAuth: basic\n'
  file('a/oauth2.yaml', asWho(oauth2))
  engine = startEngine()
  store = engine.store()
  await openCollection(store, dir)
})

afterAll(async () => {
  await stopEngines()
  await server.close()
  await tlsServer.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('Copy as grpcurl', () => {
  it("names the collection's protos for a request that names none (the server has no reflection)", async () => {
    await store.getState().openRequest(dir, 'g/say.yaml')
    const command = await store.getState().grpcurlFor()
    const parsed = parse(shellWords(command))
    expect(parsed.positional).toEqual([server.target, 'flightdeck.test.Echo/Say'])
    expect(parsed.flags).toEqual([
      ['-plaintext', null],
      ['-import-path', 'protos'],
      ['-proto', 'echo.proto'],
      ['-H', "authorization: Bearer it's me"],
      ['-max-time', '2.5'],
      ['-d', '{"text": "hi"}'],
    ])
    expect(everyFileFound(parsed)).toEqual(['echo.proto', 'common/meta.proto'])
  })

  it('carries the Auth tab as Copy as curl does: variables filled, a secret as {{name}}, one a call cannot send said, OAuth 2.0 as Copy as curl says it', async () => {
    const copied = async (path: string): Promise<string> => {
      await store.getState().openRequest(dir, path)
      return store.getState().grpcurlFor()
    }
    const inherits = parse(shellWords(await copied('a/inherits.yaml')))
    expect(inherits.positional).toEqual([server.target, 'flightdeck.test.Echo/Say'])
    expect(inherits.flags.filter(([f]) => f === '-H' || f === '-d')).toEqual([
      ['-H', 'x-user: ada'],
      ['-H', 'authorization: Bearer {{token}}'],
      ['-d', '{"text": "hi ada"}'],
    ])
    const basic = parse(shellWords(await copied('a/basic.yaml')))
    expect(basic.flags.filter(([f]) => f === '-H')).toEqual([
      ['-H', 'x-user: ada'],
      ['-H', `authorization: Basic ${Buffer.from('ada:pw').toString('base64')}`],
    ])
    const digest = await copied('a/digest.yaml')
    expect(digest.split('\n')[0]).toBe(
      '# Digest auth not included: a gRPC call cannot send it (Flightdeck refuses the call)',
    )
    expect(parse(shellWords(digest.split('\n')[1] ?? '')).flags.filter(([f]) => f === '-H')).toEqual([
      ['-H', 'x-user: ada'],
    ])
    // OAuth 2.0: Copy as curl's line and words; the call fetches its token, a copy has none to give.
    const oauth = await copied('a/oauth2.yaml')
    expect(oauth.split('\n')[0]).toBe('# OAuth 2.0 token not included: Flightdeck adds it when sending')
    expect(parse(shellWords(oauth.split('\n')[1] ?? '')).flags.filter(([f]) => f === '-H')).toEqual([
      ['-H', 'x-user: ada'],
    ])
  })

  it('a proto named from the collection folder gets that folder as an import path', async () => {
    await store.getState().openRequest(dir, 'g/own.yaml')
    const parsed = parse(shellWords(await store.getState().grpcurlFor()))
    const paths = parsed.flags.filter(([f]) => f === '-import-path').map(([, v]) => v)
    expect(paths).toEqual(['protos', '.'])
    expect(everyFileFound(parsed)).toEqual(['own/echo.proto', 'common/meta.proto'])
    await store.getState().openRequest(dir, 'g/inside.yaml')
    const inside = parse(shellWords(await store.getState().grpcurlFor()))
    expect(inside.flags.filter(([f]) => f === '-import-path' || f === '-proto')).toEqual([
      ['-import-path', 'protos'],
      ['-proto', 'echo.proto'],
    ])
    expect(everyFileFound(inside)).toEqual(['echo.proto', 'common/meta.proto'])
  })

  it("trusts the request's CA file as the app does: -cacert, run from the collection folder, reaches the server", async () => {
    // Before, the command had no -cacert: the call the app made failed, copied, on the certificate.
    await store.getState().openRequest(dir, 'g/tls.yaml')
    const rec = record(engine.service)
    try {
      await store.getState().send()
      const sid = store.getState().selectedSid ?? ''
      const [end] = await rec.until(sid, (e) => e.type === 'done' || e.type === 'error')
      expect(end?.type === 'error' ? end.message : end?.type).toBe('done')
    } finally {
      rec.stop()
    }
    const parsed = parse(shellWords(await store.getState().grpcurlFor()))
    expect(parsed.flags.filter(([f]) => f === '-cacert' || f === '-insecure')).toEqual([
      ['-cacert', 'certs/ca.pem'],
    ])
    // grpcurl is not installed here: grpc-js reads the command as grpcurl would (its CA file, protos, target,
    // method and message) and makes the call.
    expect(await callAsGrpcurl(parsed)).toMatchObject({ text: 'you said: hi' })
    await store.getState().openRequest(dir, 'g/tls-insecure.yaml')
    const insecure = parse(shellWords(await store.getState().grpcurlFor()))
    expect(insecure.flags.filter(([f]) => f === '-cacert' || f === '-insecure')).toEqual([
      ['-insecure', null],
    ])
  })
})

/** The unary call a grpcurl command of TLS flags, protos, `-d`, address and method makes, run from the collection folder. */
async function callAsGrpcurl(parsed: Parsed): Promise<unknown> {
  const values = (flag: string): string[] =>
    parsed.flags.filter(([f]) => f === flag).map(([, v]) => v as string)
  const [ca] = values('-cacert')
  const [target, method] = parsed.positional as [string, string]
  const pkg = protoLoader.loadSync(values('-proto'), {
    keepCase: true,
    includeDirs: values('-import-path').map((p) => join(dir, p)),
  })
  const [service, name] = method.split('/') as [string, string]
  let ctor: unknown = grpc.loadPackageDefinition(pkg)
  for (const part of service.split('.')) ctor = (ctor as Record<string, unknown>)[part]
  const Client = ctor as grpc.ServiceClientConstructor
  const client = new Client(target, grpc.credentials.createSsl(ca ? readFileSync(join(dir, ca)) : null))
  try {
    return await new Promise((resolve, reject) => {
      const call = client[name] as (
        m: unknown,
        o: grpc.CallOptions,
        cb: (e: grpc.ServiceError | null, v: unknown) => void,
      ) => void
      call.call(client, JSON.parse(values('-d')[0] ?? '{}'), { deadline: Date.now() + 10_000 }, (e, v) =>
        e ? reject(e) : resolve(v),
      )
    })
  } finally {
    client.close()
  }
}
