import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRunCli } from '../../src/cli/run-command'
import type { JsonRunReport } from '../../src/cli/run-report'
import { parseCollectionText } from '../../src/engine/collections/collection-file-read'
import { saveFolderSettings } from '../../src/engine/collections/store'
import { createEngineService, type EngineService } from '../../src/engine/service'
import { PROTO_DIR, startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'

/**
 * collection.yaml's `grpc:` block (importPaths, protoFiles) gives the schema to every gRPC request in the
 * collection that names no .proto files of its own, against a real grpc-js server that offers no reflection:
 * in `flightdeck run` and through the app's commands. A request's own files still come first.
 */

let bare: GrpcTestServer
let dir: string
let configDir: string
let out: string
let service: EngineService

const collectionYaml = (target: string): string =>
  [
    'flightdeck: 1',
    'name: Shared protos',
    'variables:',
    `  bare: grpc://${target}`,
    'grpc:',
    '  importPaths: [protos]',
    '  protoFiles: echo.proto',
    '',
  ].join('\n')

beforeAll(async () => {
  bare = await startGrpcServer({ reflection: 'none' })
  dir = mkdtempSync(join(tmpdir(), 'fd-grpc-colprotos-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-grpc-colprotos-config-'))
  out = mkdtempSync(join(tmpdir(), 'fd-grpc-colprotos-out-'))
  cpSync(PROTO_DIR, join(dir, 'protos'), { recursive: true })
  // A request's own proto: a copy of the service under another package, in its own folder.
  mkdirSync(join(dir, 'own'), { recursive: true })
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', collectionYaml(bare.target))
  file(
    'g/1-say.yaml',
    [
      'name: Say',
      'kind: grpc',
      'url: "{{bare}}"',
      'messages:',
      '  - name: hello',
      '    text: \'{"text": "hi"}\'',
      'grpc:',
      '  method: flightdeck.test.Echo/Say',
      'assertions:',
      '  - kind: json',
      '    path: $.text',
      '    equals: "you said: hi"',
      '',
    ].join('\n'),
  )
  file(
    'g/2-own.yaml',
    [
      'name: Own proto',
      'kind: grpc',
      'url: "{{bare}}"',
      'messages:',
      '  - name: m',
      '    text: \'{"text": "hi"}\'',
      'grpc:',
      '  method: flightdeck.test.Echo/Say',
      '  proto: missing.proto',
      '',
    ].join('\n'),
  )
  service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
})

afterAll(async () => {
  await service.dispose()
  await bare.close()
  for (const d of [dir, configDir, out]) rmSync(d, { recursive: true, force: true })
})

describe("a collection's gRPC protos", () => {
  it('read from collection.yaml (a single path is a list of one); a wrong key is refused at its line', () => {
    const parsed = parseCollectionText(collectionYaml('127.0.0.1:1'), 'c')
    if (!parsed.ok) throw new Error(parsed.problem.message)
    expect(parsed.value.grpc).toEqual({ importPaths: ['protos'], protoFiles: ['echo.proto'] })
    const bad = parseCollectionText('name: c\ngrpc:\n  protos: echo.proto\n', 'c')
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.problem.line).toBe(3)
  })

  it('kept as written when the collection is saved from the app', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'fd-grpc-colprotos-save-'))
    try {
      writeFileSync(join(scratch, 'collection.yaml'), collectionYaml('127.0.0.1:1'))
      const saved = await saveFolderSettings(scratch, '', {
        variables: [{ name: 'who', value: 'ada', secret: false }],
      })
      if (!saved.ok) throw new Error(saved.error.message)
      const text = readFileSync(join(scratch, 'collection.yaml'), 'utf8')
      expect(text).toContain('who')
      const parsed = parseCollectionText(text, 'c')
      if (!parsed.ok) throw new Error(parsed.problem.message)
      expect(parsed.value.grpc).toEqual({ importPaths: ['protos'], protoFiles: ['echo.proto'] })
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  it("run: a request naming no protos uses the collection's; one naming its own uses those", async () => {
    let stderr = ''
    const io = { out: (): void => undefined, err: (t: string): void => void (stderr += t) }
    const saved = process.env['FLIGHTDECK_CONFIG_DIR']
    process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
    try {
      await runRunCli([dir, 'g', '--reporter', 'json', '--out', out], io)
    } finally {
      if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
      else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
    }
    const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
    const rows = json.results
      .map((r) => [r.path, r.passed, r.error?.message ?? null] as const)
      .sort((a, b) => a[0].localeCompare(b[0]))
    expect(rows[0], stderr).toEqual(['g/1-say.yaml', true, null])
    // Its own file is looked for (and is not there): the collection's did not stand in for it.
    expect(rows[1]?.[1]).toBe(false)
    expect(rows[1]?.[2]).toContain('missing.proto')
  })

  it("app: a call from a request in the collection, with reflection chosen, uses the collection's protos", async () => {
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const context = { dir, path: 'g/1-say.yaml' }
    const described = await service.invoke('grpc.describe', {
      target: bare.target,
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'reflection' },
      method: 'flightdeck.test.Echo/Say',
      context,
    })
    if (!described.ok) throw new Error(described.error.message)
    expect(described.value.source).toBe("the collection's .proto files (collection.yaml)")
    expect(JSON.parse(described.value.template ?? '{}')).toHaveProperty('text', '')
    const call = await service.invoke('grpc.open', {
      target: bare.target,
      method: 'flightdeck.test.Echo/Say',
      messages: ['{"text": "hi"}'],
      metadata: [],
      schema: { kind: 'reflection' },
      tls: { plaintext: true },
      context,
    })
    if (!call.ok) throw new Error(call.error.message)
    expect(call.value.method.kind).toBe('unary')
  })

  it('app: a proto outside the collection is refused in the words of loading a schema', async () => {
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const described = await service.invoke('grpc.describe', {
      target: bare.target,
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'proto', files: ['../elsewhere/echo.proto'], importPaths: [] },
      context: { dir, path: 'g/1-say.yaml' },
    })
    expect(described.ok).toBe(false)
    const message = described.ok ? '' : described.error.message
    expect(message).toMatch(
      /^The proto file .*elsewhere.* is outside the collection folder [^;]*; the schema was not loaded\. /,
    )
    expect(message).not.toContain('nothing was sent')
  })

  it("run: the collection's protos may not leave the collection folder", async () => {
    const outer = mkdtempSync(join(tmpdir(), 'fd-grpc-colprotos-outer-'))
    try {
      cpSync(PROTO_DIR, join(outer, 'protos'), { recursive: true })
      const inner = join(outer, 'c')
      mkdirSync(inner)
      writeFileSync(
        join(inner, 'collection.yaml'),
        `name: c\nvariables:\n  bare: grpc://${bare.target}\ngrpc:\n  importPaths: ../protos\n  protoFiles: ../protos/echo.proto\n`,
      )
      writeFileSync(join(inner, 'say.yaml'), readFileSync(join(dir, 'g/1-say.yaml'), 'utf8'))
      const saved = process.env['FLIGHTDECK_CONFIG_DIR']
      process.env['FLIGHTDECK_CONFIG_DIR'] = configDir
      try {
        await runRunCli([inner, '--reporter', 'json', '--out', out], {
          out: () => undefined,
          err: () => undefined,
        })
      } finally {
        if (saved === undefined) delete process.env['FLIGHTDECK_CONFIG_DIR']
        else process.env['FLIGHTDECK_CONFIG_DIR'] = saved
      }
      const json = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as JsonRunReport
      const row = json.results[0]
      expect(row?.passed).toBe(false)
      expect(row?.error?.message).toMatch(/outside|collection folder/i)
    } finally {
      rmSync(outer, { recursive: true, force: true })
    }
  })
})
