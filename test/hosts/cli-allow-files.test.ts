import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FLIGHTDECK_BIN as bin } from '../fixtures/cli-process'

/**
 * `flightdeck run` and `flightdeck send --collection` as CI runs them (a real process): a collection whose
 * request names a file outside its folder fails without sending it, saying to pass `--allow-files DIR`, and
 * sends it with that flag. A relative body path resolves against the collection folder, not the shell's.
 */

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

let server: Server
let url = ''
let connections = 0
let bodies: string[] = []
let base = ''
let dir = ''
let outside = ''
let elsewhere = ''

function flightdeck(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // A working folder of its own: a relative path must not resolve here.
      cwd: elsewhere,
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: join(base, 'config') },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const timer = setTimeout(() => child.kill(), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

function request(rel: string, path: string): void {
  writeFileSync(
    join(dir, rel),
    `name: ${rel}\nmethod: POST\nurl: ${url}\nbody:\n  kind: file\n  path: ${path}\n`,
  )
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'))
      res.writeHead(200).end('ok')
    })
  })
  server.on('connection', () => connections++)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`
  base = realpathSync(mkdtempSync(join(tmpdir(), 'fd-cli-files-')))
  dir = join(base, 'collection')
  outside = join(base, 'outside')
  elsewhere = join(base, 'elsewhere')
  for (const d of [dir, join(dir, 'outward'), join(dir, 'inward'), outside, elsewhere])
    mkdirSync(d, { recursive: true })
  writeFileSync(join(dir, 'collection.yaml'), 'name: Files\n')
  writeFileSync(join(dir, 'data.txt'), 'collection bytes')
  writeFileSync(join(elsewhere, 'data.txt'), 'WRONG: the shell folder')
  writeFileSync(join(outside, 'secret.txt'), 'SECRET bytes')
  request('outward/upload.yaml', '../outside/secret.txt')
  request('inward/upload.yaml', 'data.txt')
})

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(base, { recursive: true, force: true })
})

beforeEach(() => {
  connections = 0
  bodies = []
})

describe('flightdeck run and files outside the collection', () => {
  it('fails the step unsent (exit 1), naming the file and --allow-files', async () => {
    const run = await flightdeck('run', dir, 'outward')
    expect(run.code).toBe(1)
    const said = run.stdout + run.stderr
    expect(said).toContain('../outside/secret.txt')
    expect(said).toContain(`run again with --allow-files ${outside}`)
    expect(connections).toBe(0)
  })

  it('sends it with --allow-files DIR (exit 0)', async () => {
    const run = await flightdeck('run', dir, 'outward', '--allow-files', outside)
    expect(run.code, run.stderr).toBe(0)
    expect(bodies).toEqual(['SECRET bytes'])
  })

  it('a relative path is the collection folder’s, whatever the working folder', async () => {
    const run = await flightdeck('run', dir, 'inward')
    expect(run.code, run.stderr).toBe(0)
    expect(bodies).toEqual(['collection bytes'])
  })

  it('--allow-files naming no folder is bad input (exit 2)', async () => {
    const run = await flightdeck('run', dir, '--allow-files', join(base, 'missing'))
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(`flightdeck: --allow-files: ${join(base, 'missing')} does not exist\n`)
    expect(connections).toBe(0)
  })
})

describe('flightdeck send --collection and files outside the collection', () => {
  it('refuses with one line (exit 2) and sends nothing; --allow-files sends it', async () => {
    const refused = await flightdeck('send', '--collection', dir, '--request', 'outward/upload')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^flightdeck: file_outside: The body file \.\.\/outside\/secret\.txt/)
    expect(refused.stderr).toContain(`run again with --allow-files ${outside}`)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(connections).toBe(0)

    const allowed = await flightdeck(
      'send',
      '--collection',
      dir,
      '--request',
      'outward/upload',
      '--allow-files',
      outside,
    )
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(bodies).toEqual(['SECRET bytes'])
  })

  it('--allow-files does not apply to a URL sent from the command line', async () => {
    const run = await flightdeck('send', url, '--allow-files', outside)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--allow-files applies to a saved request')
  })
})
