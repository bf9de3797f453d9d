import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCliArgs } from '../../src/cli/args'
import { engineTempRoot, SWEEP_MAX_REMOVED, sweepStaleTempDirs } from '../../src/engine/temp-files'
import { DEFAULT_REQUEST_OPTIONS } from '../../src/shared/constants'
import { startRawServer, pathOf, type RawServer } from './raw-server'
import { expectError, openCatalogue, spec, underFault, type Catalogue } from './harness'
import { FLIGHTDECK_BIN as bin } from '../fixtures/cli-process'

/**
 * Response bodies past the memory limit spill to temp files. A failed or cancelled exchange has no body to
 * show, so its file must go; a process that was killed cannot clean up, so the next one does; and the default
 * body limit is one a desktop can hold.
 */

let cat: Catalogue
let raw: RawServer
let spillRoot: string
const MiB = 1024 * 1024
const CHUNK = Buffer.alloc(256 * 1024, 0x61)

/** 64 MiB of zeros as gzip (about 64 KB): the bomb guard lets the first 64 MiB through, then stops it. */
async function gzipBomb(): Promise<Buffer> {
  let left = 256
  const source = new Readable({
    read() {
      this.push(left-- > 0 ? Buffer.alloc(MiB) : null)
    },
  })
  const out: Buffer[] = []
  for await (const c of source.pipe(createGzip({ level: 6 }))) out.push(c as Buffer)
  return Buffer.concat(out)
}
let bomb: Buffer

function routes(socket: Socket, head: string): void {
  const path = pathOf(head)
  if (path === '/endless') {
    // A chunked body that never ends, written as fast as the client reads it.
    socket.write(
      'HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n',
    )
    const frame = Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')])
    const pump = (): void => {
      while (!socket.destroyed) if (!socket.write(frame)) return void socket.once('drain', pump)
    }
    pump()
  } else if (path === '/bomb') {
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-encoding: gzip\r\ncontent-length: ${bomb.length}\r\n\r\n`,
    )
    socket.write(bomb)
  } else if (path === '/declared-3g') {
    // Announces 3 GiB and sends nothing: refused at the headers, or (without a limit) the idle timeout ends it.
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: ${3 * 1024 * MiB}\r\n\r\n`,
    )
  } else if (path === '/small') {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok')
  } else {
    socket.write('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')
  }
}

beforeAll(async () => {
  bomb = await gzipBomb()
  spillRoot = mkdtempSync(join(tmpdir(), 'flightdeck-spill-test-'))
  cat = await openCatalogue({ memoryBodyLimit: MiB, tempDir: spillRoot })
  raw = await startRawServer(routes)
})
afterAll(async () => {
  await cat.close()
  await raw.close()
  rmSync(spillRoot, { recursive: true, force: true })
})

/** Every file under `dir`, with its size (bounded walk). */
function filesUnder(dir: string, depth = 0): { path: string; size: number }[] {
  if (depth > 8 || !existsSync(dir)) return []
  const out: { path: string; size: number }[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    const st = statSync(p, { throwIfNoEntry: false })
    if (!st) continue
    if (st.isDirectory()) out.push(...filesUnder(p, depth + 1))
    else out.push({ path: p, size: st.size })
  }
  return out
}

/** Wait (at most `ms`) until `check` holds; returns whether it did. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  for (let i = 0; i < 10_000 && Date.now() < until; i++) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return check()
}

describe('partial bodies are not left on disk', () => {
  it('a never-ending chunked body stopped at the limit: error names the limit, the partial file is removed', async () => {
    const run = await underFault(cat, async () => {
      const sent = await cat.service.invoke('http.send', {
        request: spec(`${raw.url}/endless`, {}, { maxBodyBytes: 8 * MiB }),
      })
      if (!sent.ok) throw new Error(sent.error.message)
      return cat.service.http.waitFor(sent.value.sids[0] as string)
    })
    const err = expectError(
      run.value,
      'body_too_large',
      /^The response body is larger than the limit of 8\.0 MB \(8,388,608 bytes\); raise the request's Max body option \(maxBodyBytes in a request file, --max-body on the CLI\) to read it$/,
    )
    expect(err.partialBodyBytes).toBeGreaterThan(MiB)
    expect(err.partialBodyBytes).toBeLessThanOrEqual(8 * MiB)
    expect(
      await eventually(() => filesUnder(spillRoot).length === 0, 3000),
      JSON.stringify(filesUnder(spillRoot)),
    ).toBe(true)
  })

  it('a decompression bomb stopped by the guard leaves no file', async () => {
    const run = await underFault(cat, async () => {
      const sent = await cat.service.invoke('http.send', { request: spec(`${raw.url}/bomb`) })
      if (!sent.ok) throw new Error(sent.error.message)
      return cat.service.http.waitFor(sent.value.sids[0] as string)
    })
    const err = expectError(run.value, 'decompression_bomb', /expands to more than \d+ times/)
    expect(err.partialBodyBytes).toBeGreaterThan(32 * MiB)
    expect(
      await eventually(() => filesUnder(spillRoot).length === 0, 3000),
      JSON.stringify(filesUnder(spillRoot)),
    ).toBe(true)
  })

  it('a cancelled download: the partial file is removed and the event says how much was discarded', async () => {
    const sent = await cat.service.invoke('http.send', { request: spec(`${raw.url}/endless`) })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] as string
    // Wait until the body has spilled to disk, as a big download would.
    expect(await eventually(() => filesUnder(spillRoot).some((f) => f.size > MiB), 10_000)).toBe(true)
    await cat.service.invoke('session.cancel', { sid })
    const result = await cat.service.http.waitFor(sid)
    expect(result.final.type).toBe('cancelled')
    const final = result.final as Extract<typeof result.final, { type: 'cancelled' }>
    expect(final.partialBodyBytes).toBeGreaterThan(MiB)
    expect(
      await eventually(() => filesUnder(spillRoot).length === 0, 3000),
      JSON.stringify(filesUnder(spillRoot)),
    ).toBe(true)
  })
})

describe('the body limit', () => {
  it('defaults to 2 GiB: a larger declared body is refused at the headers, saying how to raise it', async () => {
    expect(DEFAULT_REQUEST_OPTIONS.maxBodyBytes).toBe(2 * 1024 * MiB)
    const run = await underFault(cat, async () => {
      const sent = await cat.service.invoke('http.send', {
        // The idle timeout only bounds the test: without the limit the exchange would wait for the body.
        request: spec(`${raw.url}/declared-3g`, {}, { idleTimeoutMs: 1500 }),
      })
      if (!sent.ok) throw new Error(sent.error.message)
      return cat.service.http.waitFor(sent.value.sids[0] as string)
    })
    expectError(
      run.value,
      'body_too_large',
      /^The response body is larger than the limit of 2\.0 GB \(2,147,483,648 bytes\); raise the request's Max body option/,
    )
  })

  it('flightdeck send --max-body sets it (bytes, or k/m/g), and refuses what is not a size', () => {
    const cases: [string, number][] = [
      ['4g', 4 * 1024 * MiB],
      ['500M', 500 * MiB],
      ['64KiB', 64 * 1024],
      ['1048576', MiB],
    ]
    for (const [text, bytes] of cases) {
      const c = parseCliArgs(['send', 'http://127.0.0.1:1/', '--max-body', text])
      expect(c.kind === 'send' ? c.request.options.maxBodyBytes : c, text).toBe(bytes)
    }
    for (const bad of ['lots', '0', '1.5g', '99999999999999999g']) {
      const c = parseCliArgs(['send', 'http://127.0.0.1:1/', '--max-body', bad])
      expect(c, bad).toEqual({
        kind: 'error',
        message: `--max-body must be a size in bytes, or with k, m or g (e.g. 500m, 8g), got '${bad}'`,
      })
    }
  })
})

describe('temp files of a process that was killed', () => {
  it('are removed when the next Flightdeck starts', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'flightdeck-killed-test-'))
    const env = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp }
    // tsx (which runs the CLI from source here) keeps its compile cache in the temp dir too: not ours.
    const ours = (): { path: string; size: number }[] =>
      filesUnder(tmp).filter((f) => !f.path.slice(tmp.length).startsWith('/tsx-'))
    try {
      // A download that spills to disk, killed mid-way as a crash or `kill -9` would.
      const victim = spawn(process.execPath, [bin, 'send', `${raw.url}/endless`], { env, stdio: 'ignore' })
      const spilled = await eventually(() => ours().some((f) => f.size > 9 * MiB), 30_000)
      victim.kill('SIGKILL')
      await new Promise((r) => victim.once('exit', r))
      expect(spilled, 'the killed download had spilled to a temp file').toBe(true)
      const left = ours()
      expect(left.length, 'a killed process cannot clean up after itself').toBeGreaterThan(0)

      // The next start (any host; here the CLI) removes what the dead process left, and its own folder at exit.
      // (Not spawnSync: the server runs in this process and must keep answering.)
      const next = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [bin, 'send', `${raw.url}/small`], { env })
        let stderr = ''
        child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
        child.stdout.resume()
        child.on('error', reject)
        child.on('close', (code) => resolve({ code, stderr }))
      })
      expect(next.code, next.stderr).toBe(0)
      expect(ours(), 'no temp file is left').toEqual([])
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  }, 120_000)

  it('the sweep keeps running processes’ folders and removes at most a bounded number per start', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flightdeck-sweep-test-'))
    try {
      // A pid that is certainly gone: a process that has exited.
      const gone = spawnSync(process.execPath, ['-e', '0']).pid
      expect(gone).toBeGreaterThan(0)
      for (let i = 0; i < SWEEP_MAX_REMOVED + 6; i++) {
        mkdirSync(join(root, `pid-${gone}-dead${i}`))
        writeFileSync(join(root, `pid-${gone}-dead${i}`, 'b1.body'), 'x')
      }
      mkdirSync(join(root, `pid-${process.pid}-alive`))
      mkdirSync(join(root, 'not-ours'))
      const first = await sweepStaleTempDirs(root)
      expect(first.removed).toHaveLength(SWEEP_MAX_REMOVED)
      const second = await sweepStaleTempDirs(root)
      expect(second.removed).toHaveLength(6)
      expect(readdirSync(root).sort()).toEqual(['not-ours', `pid-${process.pid}-alive`].sort())
      expect(engineTempRoot('/x')).toMatch(/^\/x\/flightdeck-/)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
