import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createSecureServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'
import { makeTestPki } from '../fixtures/certs'
import { builtCli, builtMain, counted, oneRequestCollection, root, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()

/**
 * What the built CLI loads to start: a command loads its own code and no other's, so `--help` costs about a
 * bare Node start and `send` is not slowed by the runner, the importers or other protocols. Measured as the
 * files loaded and their bytes, which is what start-up time follows, and the Node modules, ICU services, zod
 * schemas and functions from text a start sets up. Needs `npm run build` first (npm test builds before the
 * unit tests). The code cache: cli-startup-code-cache; WebAssembly tiers: cli-startup-wasm.
 */

/**
 * `send` builds `http.send`'s payload schema (the request spec, ~160 schemas and parts) and nothing at import;
 * building every schema of the contract at import was ~2,200.
 */
const SEND_SCHEMA_LIMIT = 300

const builtinsOf = (stderr: string): string[] => (counted(stderr, 'builtins') ?? []) as string[]

describe('what the built CLI loads to start', () => {
  const { dir, url } = startupFixture()

  it('--help loads argument parsing only: no library, under 64 KB', async () => {
    const r = await builtCli(dir, ['--help'], { builtins: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('usage: flightdeck send')
    expect(r.files.filter((f) => f.includes('node_modules'))).toEqual([])
    expect(r.compiled).toEqual([])
    expect(r.bytes).toBeLessThan(64 * 1024)
    // Nor Node's modules only a command uses: node:crypto (~3 ms) and node:v8 (~2 ms) cost --help a third of
    // its time over bare Node.
    const builtins = counted(r.stderr, 'builtins') as string[]
    expect(builtins.filter((m) => ['crypto', 'v8', 'vm'].includes(m))).toEqual([])
    // The text goes to the descriptor itself: a stdout stream for a pipe loads node:net and its socket code, which
    // this Node compiles at each start (~45M instructions, a third of --help's start over bare Node). Started as
    // bin/flightdeck.js starts it, stdout and stderr pipes: builtCli's loader hook loads node:net itself.
    const main = await builtMain(dir, ['--help'], { builtins: true })
    expect(main.code).toBe(0)
    expect(main.out).toContain('usage: flightdeck send')
    const mainBuiltins = counted(main.out, 'builtins') as string[]
    expect(mainBuiltins).toContain('fs')
    expect(mainBuiltins.filter((m) => ['net', 'tty', 'internal/stream_base_commons'].includes(m))).toEqual([])
    // Node's modules as values (process.getBuiltinModule), not ES imports: an ES import of node:fs makes a module
    // of its ~100 exports at every start, ~9M instructions of every command for the six the entry's files used.
    const esImports = r.files
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => readFileSync(f, 'utf8').match(/^import [^;]*? from ["']node:[\w/]+["'];/gm) ?? [])
    expect(esImports).toEqual([])
  })

  it('send loads the engine but no other command, protocol or importer', async () => {
    const r = await builtCli(dir, ['send', url()])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    const names = r.files.map((f) => f.slice(root.length))
    expect(names.filter((f) => /run-command|stream-command|import-command/.test(f))).toEqual([])
    expect(names.filter((f) => f.includes('node_modules'))).toEqual([])
    // send's code is one file compiled with V8's code cache, not the command's ES module chunk.
    expect(names.filter((f) => /send-command/.test(f))).toEqual([
      expect.stringMatching(/cached\/send-command-\w+\.cjs$/),
    ])
    // ASCII, which the loader reads as latin1 (three times as fast as decoding UTF-8).
    expect(readFileSync(r.compiled[0]?.file ?? '').every((byte) => byte < 0x80)).toBe(true)
    // Its sources, as its source map names them: send's own CLI modules, no other command's.
    const map = JSON.parse(readFileSync(`${r.compiled[0]?.file}.map`, 'utf8')) as { sources: string[] }
    const cliSources = map.sources.filter((f) => f.includes('src/cli/'))
    expect(cliSources.filter((f) => /send-command/.test(f))).toHaveLength(1)
    expect(
      cliSources.filter((f) => /(run|stream|import|grpc|graphql|mqtt-socketio)-command/.test(f)),
    ).toEqual([])
    // zod as direct references, not its `z` namespace built at start (~1,000 getters defined one by one, ~23M
    // instructions of a send): the namespace kept its index and its JSON-schema converters, which nothing calls.
    expect(
      map.sources.filter((f) =>
        /zod\/(index\.js|v4\/classic\/from-json-schema\.js|v4\/core\/json-schema-generator\.js)$/.test(f),
      ),
    ).toEqual([])
    // The engine with its HTTP client and the libraries it needs on every start, in one file with the code of
    // the sessions and importers the service imports when first used (an ES module chunk each before, which
    // a CommonJS file cannot import on Node 20): 2.3 MB, of which V8's code cache compiles nothing at start.
    expect(r.bytes).toBeLessThan(2.5 * 1024 * 1024)
  })

  it('send sets up no ICU service (a collator, segmenter or number format costs 15-30 ms each)', async () => {
    const r = await builtCli(dir, ['send', url()], { icu: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    expect(counted(r.stderr, 'icu')).toEqual([])
  })

  it('a one-request run sets up no ICU service either', async () => {
    const collection = oneRequestCollection(dir, 'one-request', url())
    const r = await builtCli(dir, ['run', collection], { icu: true })
    expect(r.code).toBe(0)
    expect(r.stdout + r.stderr).toContain('1 passed')
    expect(counted(r.stderr, 'icu')).toEqual([])
  })

  it("send loads Node's TLS, HTTP/2, zlib, worker, assert, crypto, DNS and perf_hooks modules only for a request that needs them", async () => {
    // Each costs a start 1-8 ms (node:crypto ~8 on a Node that compiles its own modules, node:http2 with
    // node:tls ~5); a plain http send to an IP address uses none of them. node:assert loads only when one of
    // undici's internal checks fails.
    // node:perf_hooks (10 modules, ~1 % of a send): the engine's clock reads process.hrtime instead.
    const lazy = ['tls', 'http2', 'zlib', 'worker_threads', 'assert', 'crypto', 'dns', 'perf_hooks']
    const plain = await builtCli(dir, ['send', url()], { builtins: true })
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain('HTTP/1.1 200 OK')
    expect(builtinsOf(plain.stderr).filter((m) => lazy.includes(m))).toEqual([])

    // The requests that need them still get them: a gzip body, https, HTTP/2.
    const pki = await makeTestPki()
    const gzipped = createServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' })
      res.end(gzipSync('unzipped by the engine'))
    })
    const h2 = createSecureServer(
      { cert: pki.localhost.cert, key: pki.localhost.key, allowHTTP1: true },
      (_req, res) => res.end('over tls'),
    )
    await new Promise<void>((r) => gzipped.listen(0, '127.0.0.1', r))
    await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r))
    try {
      const gzUrl = `http://127.0.0.1:${(gzipped.address() as AddressInfo).port}/`
      const gz = await builtCli(dir, ['send', gzUrl], { builtins: true })
      expect(gz.code).toBe(0)
      // 22 B decoded ('unzipped by the engine'), more on the wire.
      expect(gz.stdout).toMatch(/body +22 B \(text\/plain\)/)
      expect(builtinsOf(gz.stderr)).toContain('zlib')
      const tlsUrl = `https://127.0.0.1:${(h2.address() as AddressInfo).port}/`
      const secure = await builtCli(dir, ['send', '--insecure', tlsUrl], { builtins: true })
      expect(secure.code).toBe(0)
      expect(secure.stdout).toMatch(/body +8 B/)
      expect(builtinsOf(secure.stderr)).toContain('tls')
      const pushed = await builtCli(dir, ['send', '--insecure', '--push', tlsUrl], { builtins: true })
      expect(pushed.code).toBe(0)
      expect(pushed.stdout).toContain('HTTP/2 200')
      expect(pushed.stdout).toMatch(/body +8 B/)
      expect(builtinsOf(pushed.stderr)).toContain('http2')
      // A trace id is drawn from the kernel's random device (node:crypto where there is none, on Windows); a
      // host name is looked up through node:dns.
      const traced = await builtCli(dir, ['send', '--trace', url()], { builtins: true })
      expect(traced.code).toBe(0)
      expect(traced.stdout).toMatch(/trace +[0-9a-f]{32}/)
      expect(builtinsOf(traced.stderr).includes('crypto')).toBe(process.platform === 'win32')
      const named = await builtCli(dir, ['send', url().replace('127.0.0.1', 'localhost')], { builtins: true })
      expect(named.code).toBe(0)
      expect(named.stdout).toContain('HTTP/1.1 200 OK')
      expect(builtinsOf(named.stderr)).toContain('dns')
    } finally {
      gzipped.close()
      h2.close()
    }
  })

  it("a one-request run loads no Node module send does not, node:crypto included (its trace id's draw loaded it)", async () => {
    const collection = oneRequestCollection(dir, 'one-request-builtins', url())
    const run = await builtCli(dir, ['run', collection], { builtins: true })
    expect(run.code).toBe(0)
    expect(run.stdout + run.stderr).toContain('1 passed')
    const send = await builtCli(dir, ['send', url()], { builtins: true })
    expect(send.code).toBe(0)
    const sent = new Set(builtinsOf(send.stderr))
    // node:crypto with its ~20 internal modules was a tenth of a one-request run's instructions.
    const beyondSend = builtinsOf(run.stderr).filter((m) => !sent.has(m))
    expect(beyondSend.filter((m) => m.includes('crypto'))).toEqual([])
  })

  it('send builds the schemas of the payload it validates, not the whole contract', async () => {
    const r = await builtCli(dir, ['send', url()], { schemas: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    const built = Number(counted(r.stderr, 'schemas'))
    expect(built).toBeGreaterThan(0)
    expect(built).toBeLessThan(SEND_SCHEMA_LIMIT)
  })

  it('send compiles no code from text at run time (zod parses without making parsers)', async () => {
    const r = await builtCli(dir, ['send', url()], { functions: true })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('HTTP/1.1 200 OK')
    expect(counted(r.stderr, 'functions')).toBe(0)
  })
})
