import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { runModuleScript, type ScriptRun } from './module-script'
import { copyBuiltCli, type PrivateCli } from './private-cli'

/**
 * The BUILT CLI sends a multipart file part. The bundle inlines undici, and request-body.ts imports undici's
 * FormData and Response (CommonJS files) on the first multipart body: the bundle's ES-module chunk of such a
 * file exports only `default`, so taking `{ FormData }` from it failed every multipart send with "FormData is
 * not a constructor" (the request never left). `send` and `run` usually run as out/cli/cached's CommonJS file,
 * where the import is a require and it worked; the chunks are what a CLI runs while a build replaces that file,
 * and what a browser host built the same way runs. The sources' tests see neither.
 */

const FILE_TEXT = 'a file part, sent by the built CLI\n'

let asInstalled: PrivateCli
/** The same build without out/cli/cached (nor source maps), beside the copy: its packages resolve the same. */
let fromChunks: string
let server: Fixture
let collection: string

beforeAll(async () => {
  asInstalled = copyBuiltCli('fd-cli-bundle-mp-')
  fromChunks = join(asInstalled.work, 'cli-chunks')
  cpSync(asInstalled.cli, fromChunks, {
    recursive: true,
    filter: (path) => !/[\\/]cached$|\.map$|metafile\.json$/.test(path),
  })
  server = await startHttpServer()
  collection = join(asInstalled.work, 'uploads')
  mkdirSync(collection)
  writeFileSync(join(collection, 'collection.yaml'), 'name: Uploads\n')
  writeFileSync(join(collection, 'notes.txt'), FILE_TEXT)
  writeFileSync(
    join(collection, 'upload.yaml'),
    [
      'name: upload',
      'method: POST',
      `url: ${server.url}/echo`,
      'body:',
      '  kind: multipart',
      '  parts:',
      '    - { kind: text, name: note, value: hello }',
      '    - { kind: file, name: file, path: notes.txt }',
      '',
    ].join('\n'),
  )
  // A wrong file: its line comes from the `yaml` library, which the CLI loads from node_modules on first use.
  writeFileSync(
    join(collection, 'wrong.yaml'),
    'name: wrong\nmethod: GET\nurl: http://127.0.0.1:9/\nheaders:\n  - name: a\n    value: b\n    enabled: maybe\n',
  )
})

afterAll(async () => {
  await server?.close()
  asInstalled?.remove()
})

function bundled(cliDir: string, args: string[]): Promise<ScriptRun> {
  const script = `const m = await import(${JSON.stringify(join(cliDir, 'index.js'))}); process.exitCode = await m.runCli(process.argv.slice(1))`
  return runModuleScript(script, {
    args,
    env: { NODE_OPTIONS: '', FLIGHTDECK_CONFIG_DIR: join(asInstalled.work, 'config') },
    killAfterMs: 60_000,
  })
}

/** The multipart bodies the server got, after the ones it had before. */
function uploadsSince(before: number): string[] {
  return server.requests.slice(before).map((r) => r.body.toString('utf8'))
}

function expectTheFilePart(body: string | undefined): void {
  expect(body).toContain('Content-Disposition: form-data; name="note"\r\n\r\nhello\r\n')
  expect(body).toContain(
    `name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n${FILE_TEXT}\r\n`,
  )
}

describe('the built CLI sends a multipart file part', () => {
  it('in a run, as installed; a wrong request file beside it fails with its line', async () => {
    const before = server.requests.length
    const r = await bundled(asInstalled.cli, ['run', collection])
    expect(r.out).toMatch(/✓ upload\.yaml\s+1\s+0/)
    expect(r.out).toContain('wrong.yaml #1: parse: wrong.yaml line 7: headers.0.enabled')
    expect(r.code, `${r.out}\n${r.err}`).toBe(1)
    const bodies = uploadsSince(before)
    expect(bodies).toHaveLength(1)
    expectTheFilePart(bodies[0])
  }, 90_000)

  it('from its ES-module chunks (no out/cli/cached), as `send --collection`', async () => {
    const before = server.requests.length
    const r = await bundled(fromChunks, ['send', '--collection', collection, '--request', 'upload'])
    expect(r.out).not.toContain('not a constructor')
    expect(r.code, `${r.out}\n${r.err}`).toBe(0)
    expect(r.out).toContain('HTTP/1.1 200 OK')
    const bodies = uploadsSince(before)
    expect(bodies).toHaveLength(1)
    expectTheFilePart(bodies[0])
  }, 90_000)
})
