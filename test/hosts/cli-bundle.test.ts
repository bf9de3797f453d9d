import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type Fixture } from '../fixtures/servers'
import { startSocketIoServer, type SocketIoFixture } from '../fixtures/socketio-server'
import { runModuleScript, type ScriptRun } from './module-script'
import { copyBuiltCli, type PrivateCli } from './private-cli'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * The BUILT CLI (what `npm install` users run), where the tests around it run the TypeScript source: libraries
 * reach the bundle as CommonJS, whose exports differ from the ES modules the sources take, and each difference
 * built fine, passed every source test and broke only here. Runs one copy of the built CLI
 * (test/hosts/private-cli.ts; npm test builds first) in a temp folder, its external libraries resolved from the
 * checkout's node_modules: one copy for every case (a copy is ~1.5 s of 25 MB; each case had its own, or two).
 */

let built: PrivateCli
let http: Fixture
let socketio: SocketIoFixture

beforeAll(async () => {
  built = copyBuiltCli('fd-cli-bundle-')
  http = await startHttpServer()
  socketio = await startSocketIoServer()
})

afterAll(async () => {
  await http?.close()
  await socketio?.close()
  built?.remove()
})

function bundled(args: string[]): Promise<ScriptRun> {
  const script = `const m = await import(${JSON.stringify(join(built.cli, 'index.js'))}); process.exitCode = await m.runCli(process.argv.slice(1))`
  return runModuleScript(script, {
    args,
    env: { NODE_OPTIONS: '', FLIGHTDECK_CONFIG_DIR: join(built.work, 'config') },
  })
}

/**
 * socket.io-client's CommonJS index exports only `io`, `Manager` and `Socket`: a transport class extending one
 * it does not export threw "Class extends value undefined" at the first Socket.IO step of a built `run`.
 */
describe('the built CLI', () => {
  it('opens a Socket.IO session over long-polling, emits and gets the echo', async () => {
    const r = await bundled(['socketio', socketio.url, '--emit', 'echo {"n":7}', '--max', '2', '--json'])
    expect(r.err).not.toContain('Class extends value')
    expect(r.code, `${r.out}\n${r.err}`).toBe(0)
    const received = r.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type?: string; event?: string; dir?: string; args?: unknown })
      .filter((e) => e.type === 'event' && e.dir === 'in')
    expect(received.map((e) => [e.event, e.args])).toEqual([
      ['welcome', [{ token: null, room: null }]],
      ['echo', [{ n: 7 }]],
    ])
  })
})

/**
 * The bundle inlines undici, and request-body.ts imports undici's FormData and Response (CommonJS files) on the
 * first multipart body: the bundle's ES-module chunk of such a file exports only `default`, so taking
 * `{ FormData }` from it failed every multipart send with "FormData is not a constructor" (the request never
 * left). `send` and `run` usually run as out/cli/cached's CommonJS file, where the import is a require and it
 * worked; the chunks are what a CLI runs while a build replaces that file, and what a browser host built the
 * same way runs.
 */
describe('the built CLI sends a multipart file part', () => {
  const FILE_TEXT = 'a file part, sent by the built CLI\n'
  let collection: string

  beforeAll(() => {
    collection = join(built.work, 'uploads')
    mkdirSync(collection)
    writeFileSync(join(collection, 'collection.yaml'), 'name: Uploads\n')
    writeFileSync(join(collection, 'notes.txt'), FILE_TEXT)
    writeFileSync(
      join(collection, 'upload.yaml'),
      [
        'name: upload',
        'method: POST',
        `url: ${http.url}/echo`,
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

  /** The multipart bodies the server got, after the ones it had before. */
  function uploadsSince(before: number): string[] {
    return http.requests.slice(before).map((r) => r.body.toString('utf8'))
  }

  function expectTheFilePart(body: string | undefined): void {
    expect(body).toContain('Content-Disposition: form-data; name="note"\r\n\r\nhello\r\n')
    expect(body).toContain(
      `name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n${FILE_TEXT}\r\n`,
    )
  }

  it('in a run, as installed; a wrong request file beside it fails with its line', async () => {
    const before = http.requests.length
    const r = await bundled(['run', collection])
    expect(r.out).toMatch(/✓ upload\.yaml\s+1\s+0/)
    expect(r.out).toContain('wrong.yaml #1: parse: wrong.yaml line 7: headers.0.enabled')
    expect(r.code, `${r.out}\n${r.err}`).toBe(1)
    const bodies = uploadsSince(before)
    expect(bodies).toHaveLength(1)
    expectTheFilePart(bodies[0])
  })

  // Last in the file: it takes the copy's out/cli/cached away, so `send` runs from its ES-module chunks.
  it('from its ES-module chunks (no out/cli/cached), as `send --collection`', async () => {
    renameSync(join(built.cli, 'cached'), join(built.work, 'cached-set-aside'))
    const before = http.requests.length
    const r = await bundled(['send', '--collection', collection, '--request', 'upload'])
    expect(r.out).not.toContain('not a constructor')
    expect(r.code, `${r.out}\n${r.err}`).toBe(0)
    expect(r.out).toContain('HTTP/1.1 200 OK')
    const bodies = uploadsSince(before)
    expect(bodies).toHaveLength(1)
    expectTheFilePart(bodies[0])
  })
})
