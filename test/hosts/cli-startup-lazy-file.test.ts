import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs, HANG_GUARD_MS } from '../setup/hang-guard'
import { startAuthServer } from '../fixtures/auth-server'
import { builtCli, counted, root, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()
/** A start that has not ended by then is killed: a hang guard, not a speed bound. */
const KILL_AFTER_MS = HANG_GUARD_MS - 10_000

/**
 * `send` is built as two files (scripts/cli-split-command.mjs): the one its start evaluates, and the code it
 * reaches only through a lazy import (other protocols, the runner, collections, importers, multipart bodies, the
 * auth runner, the webhook inbox), which a plain `send` never reads: half of the one file it was, whose text and code cache every start paid for.
 * Needs `npm run build` first (or FLIGHTDECK_TEST_CLI: a private build).
 */

const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')
const cached = join(dirname(entry), 'cached')

/** Source folders a plain `send` never runs: none of them may be in the file its start evaluates. */
const REACHED_LATER = [
  'src/engine/runner/',
  'src/engine/collections/',
  'src/engine/importers/',
  'src/engine/streams/',
  'src/engine/grpc/',
  'src/engine/mqtt/',
  'src/engine/socketio/',
  'src/engine/graphql/',
  'src/engine/jobs/async-handlers.ts',
  'src/engine/exporters/',
  // Built by the engine on first need (engine-parts.ts): a saved request's auth, a job's or run's webhook wait.
  'src/engine/auth/',
  'src/engine/webhooks/webhook-inbox.ts',
  'src/engine/webhooks/webhook-http.ts',
  'src/engine/webhooks/webhook-waiters.ts',
]

function sourcesOf(file: string): string[] {
  const map = JSON.parse(readFileSync(join(cached, `${file}.map`), 'utf8')) as {
    sources?: string[]
    sections?: { map: { sources: string[] } }[]
  }
  return map.sources ?? (map.sections ?? []).flatMap((s) => s.map.sources)
}

describe("send's start evaluates none of the code it reaches only lazily", () => {
  const { dir, url } = startupFixture()
  const index = (): Record<string, string> =>
    JSON.parse(readFileSync(join(cached, 'index.json'), 'utf8')) as Record<string, string>

  it('the file a send starts with holds none of the lazily reached modules; they are in its lazy file', () => {
    const files = index()
    expect(files['send-command.lazy']).toMatch(/^send-lazy-\w+\.cjs$/)
    const eager = sourcesOf(files['send-command'] ?? '')
    expect(eager.some((s) => s.endsWith('src/cli/send-command.ts'))).toBe(true)
    expect(eager.filter((s) => REACHED_LATER.some((folder) => s.includes(folder)))).toEqual([])
    const lazy = sourcesOf(files['send-command.lazy'] ?? '')
    for (const folder of REACHED_LATER)
      expect(
        lazy.some((s) => s.includes(folder)),
        folder,
      ).toBe(true)
  })

  it('a plain send never compiles the lazy file; a multipart send loads it and shares the first file’s modules', async () => {
    const env = { FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'lazy-file-code-cache') }
    for (const cache of ['none', 'taken']) {
      const send = await builtCli(dir, ['send', url()], {}, env)
      expect(send.code).toBe(0)
      expect(send.stdout).toContain('HTTP/1.1 200 OK')
      expect(send.compiled).toEqual([{ file: expect.stringMatching(/send-command-\w+\.cjs$/), cache }])
    }

    // A file field makes a multipart body: undici's FormData and the field-file reader are lazy chunks, which
    // import the engine's modules the first file evaluated (one registry: the same objects, not copies).
    const field = join(dir, 'field.txt')
    writeFileSync(field, 'hello from a file\n')
    for (const cache of ['none', 'taken']) {
      const multipart = await builtCli(dir, ['send', url(), '-F', `upload=@${field}`], {}, env)
      expect(multipart.stderr).toBe('')
      expect(multipart.code).toBe(0)
      expect(multipart.stdout).toContain('HTTP/1.1 200 OK')
      expect(multipart.compiled).toEqual([
        { file: expect.stringMatching(/send-command-\w+\.cjs$/), cache: 'taken' },
        { file: expect.stringMatching(/send-lazy-\w+\.cjs$/), cache },
      ])
    }
  })

  it('a plain send loads no node:fs/promises (nor the readline and file-watcher modules it loads)', async () => {
    // As bin/flightdeck.js starts it (its CommonJS entry): builtCli's ES module entry has Node's ES module loader,
    // which loads node:fs/promises itself. Each Node module a process loads is compiled from source here.
    const listing = `process.on('exit', () => process.stderr.write('[modules] ' + JSON.stringify(process.moduleLoadList) + '\\n')); require(process.argv[1]).main(process.argv.slice(2))`
    const child = await runNode(['-e', listing, entry.replace(/\.js$/, '.cjs'), 'send', url()], {
      FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
      FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'modules-code-cache'),
    })
    expect(child.stdout).toContain('HTTP/1.1 200 OK')
    const modules = (counted(child.stderr, 'modules') ?? []) as string[]
    expect(modules).toContain('NativeModule net')
    expect(modules.filter((m) => /fs\/promises|readline|fs\/watchers/.test(m))).toEqual([])
  })

  it('a saved request with digest auth loads the auth runner from the lazy file and signs in', async () => {
    const server = await startAuthServer()
    try {
      const collection = join(dir, 'digest-collection')
      mkdirSync(collection, { recursive: true })
      writeFileSync(join(collection, 'collection.yaml'), 'flightdeck: 1\nname: Digest\n')
      writeFileSync(
        join(collection, 'me.yaml'),
        `name: Me\nmethod: GET\nurl: ${server.url}/digest\nauth:\n  type: digest\n  username: alice\n  password: s3cret\n`,
      )
      const env = { FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'digest-code-cache') }
      const signed = await builtCli(dir, ['send', '--collection', collection, '--request', 'me'], {}, env)
      expect(signed.stderr).toBe('')
      expect(signed.code).toBe(0)
      expect(signed.stdout).toContain('HTTP/1.1 200 OK')
      expect(signed.compiled.map((c) => c.file)).toEqual([
        expect.stringMatching(/send-command-\w+\.cjs$/),
        expect.stringMatching(/send-lazy-\w+\.cjs$/),
      ])
      // The wrong password: the runner answered the challenge and the server still refused.
      writeFileSync(
        join(collection, 'wrong.yaml'),
        `name: Wrong\nmethod: GET\nurl: ${server.url}/digest\nauth:\n  type: digest\n  username: alice\n  password: nope\n`,
      )
      const refused = await builtCli(dir, ['send', '--collection', collection, '--request', 'wrong'], {}, env)
      expect(refused.stdout).toContain('HTTP/1.1 401')
    } finally {
      await server.close()
    }
  })
})

/** `node args…` with env added, killed after KILL_AFTER_MS (a hang guard); its output either way. */
function runNode(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { env: { ...process.env, ...env }, timeout: KILL_AFTER_MS, maxBuffer: 4 * 1024 * 1024 },
      (_error, stdout, stderr) => done({ stdout, stderr }),
    )
  })
}
