import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

/**
 * Deeply nested JSON bodies, streamed by a real HTTP server on 127.0.0.1:0 without ever being whole in memory,
 * and a child process that fetches one through the engine, opens it in the pretty view and reports how much
 * the engine's heap grew (deep-json-child.ts). The parent watches the child's resident memory and kills it
 * past a limit, so a quadratic index fails the check instead of taking the machine down.
 */

export type DeepShape =
  /** `[[[…]]]` */
  | 'arrays'
  /** `{"a":{"a":…1…}}` */
  | 'objects'
  /** `[{"a":[{"a":…1…}]}]` */
  | 'mixed'
  /** `[[…deep…],[…deep…],…]`: many chains of `depth`, side by side */
  | 'wide-deep'
  /** `[{"a":{"b":[1,{"c":"x"}]}},…]`: a long list of small nested objects */
  | 'many-small'
  /** `[[[[…` that never closes: cut off, not JSON */
  | 'cut-off'

export interface DeepCase {
  shape: DeepShape
  /** Nesting depth (containers). */
  depth: number
  /** About this many bytes (the shapes repeat until they reach it). */
  bytes: number
}

const PIECE = 64 * 1024

/** The body's bytes, piece by piece. */
export function* deepBody(c: DeepCase): Generator<Buffer> {
  const rep = function* (text: string, times: number): Generator<Buffer> {
    const per = Math.max(1, Math.floor(PIECE / text.length))
    const piece = Buffer.from(text.repeat(per))
    let left = times
    for (; left >= per; left -= per) yield piece
    if (left > 0) yield Buffer.from(text.repeat(left))
  }
  switch (c.shape) {
    case 'arrays':
      yield* rep('[', c.depth)
      yield* rep(']', c.depth)
      return
    case 'cut-off':
      yield* rep('[', c.depth)
      return
    case 'objects':
      yield* rep('{"a":', c.depth)
      yield Buffer.from('1')
      yield* rep('}', c.depth)
      return
    case 'mixed':
      yield* rep('[{"a":', Math.ceil(c.depth / 2))
      yield Buffer.from('1')
      yield* rep('}]', Math.ceil(c.depth / 2))
      return
    case 'wide-deep': {
      const chains = Math.max(1, Math.floor(c.bytes / (2 * c.depth + 1)))
      yield Buffer.from('[')
      for (let i = 0; i < chains; i++) {
        if (i > 0) yield Buffer.from(',')
        yield* rep('[', c.depth)
        yield* rep(']', c.depth)
      }
      yield Buffer.from(']')
      return
    }
    case 'many-small': {
      const item = '{"a":{"b":[1,{"c":"x"}]}}'
      yield Buffer.from('[')
      yield* rep(`${item},`, Math.max(1, Math.floor(c.bytes / (item.length + 1))))
      yield Buffer.from(`${item}]`)
      return
    }
  }
}

export interface DeepServer {
  url(c: DeepCase): string
  close(): Promise<void>
}

/** Serves `/deep?shape=…&depth=…&bytes=…` as application/json. */
export async function startDeepServer(): Promise<DeepServer> {
  const server: Server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams
    const c: DeepCase = {
      shape: (q.get('shape') ?? 'arrays') as DeepShape,
      depth: Number(q.get('depth') ?? 1),
      bytes: Number(q.get('bytes') ?? 0),
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    const gen = deepBody(c)
    const pump = (): void => {
      for (let next = gen.next(); !next.done; next = gen.next()) {
        if (!res.write(next.value)) {
          res.once('drain', pump)
          return
        }
      }
      res.end()
    }
    pump()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: (c) => `http://127.0.0.1:${port}/deep?shape=${c.shape}&depth=${c.depth}&bytes=${c.bytes}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** What the child measured for one body. */
export interface DeepReport {
  shape: DeepShape
  size: number
  lines: number
  deepest: number
  /** Highest heap seen while the body downloaded, over the idle engine's (sampled, so a lower bound). */
  downloadPeakBytes: number
  /** Heap (V8 heap + array buffers) held after opening, over what it was before, after a full GC. */
  retainedBytes: number
  /** Highest heap seen while opening, over the baseline (sampled, so a lower bound). */
  peakBytes: number
  /** From asking for the first lines to the last window of the indexed body, with its fold pairs. */
  openMs: number
  /** Fold pair of the first line, and the last line's text (trimmed), as a user sees them. */
  firstClose: number
  lastLine: string
  invalid: string | null
  indentCap: { levels: number; deepest: number } | null
  /** Line of the first search hit for `needle`, or -1. */
  searchLine: number
}

export interface ChildResult {
  reports: DeepReport[]
  /** The child was killed for passing the memory limit (the index is not linear). */
  killed: string | null
}

/** Run the child over `cases` (fetched from `server`), watching its resident memory. */
export async function measureInChild(
  server: DeepServer,
  cases: DeepCase[],
  /** timeoutMs: of the child's CPU time (user and system), which a loaded machine does not stretch. */
  opts: { rssLimitMb: number; timeoutMs: number; needle?: string },
): Promise<ChildResult> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      `--max-old-space-size=${opts.rssLimitMb}`,
      '--import',
      'tsx',
      join(import.meta.dirname, 'deep-json-child.ts'),
      JSON.stringify({
        urls: cases.map((c) => server.url(c)),
        shapes: cases.map((c) => c.shape),
        needle: opts.needle ?? '',
      }),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  let killed: string | null = null
  const watch = setInterval(() => {
    const rss = rssMb(child.pid)
    if (rss > opts.rssLimitMb) killed = `the engine process passed ${opts.rssLimitMb} MB resident (${rss} MB)`
    else if (cpuMsOf(child.pid) > opts.timeoutMs)
      killed = `the engine process took over ${opts.timeoutMs} ms of CPU`
    if (killed !== null) child.kill('SIGKILL')
  }, 20)
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  clearInterval(watch)
  if (killed !== null) return { reports: [], killed }
  if (code !== 0)
    return { reports: [], killed: `the engine process failed (exit ${code}): ${err.slice(-2000)}` }
  const line = out.split('\n').find((l) => l.startsWith('{'))
  return { reports: (JSON.parse(line ?? '{}') as { reports: DeepReport[] }).reports, killed: null }
}

/** The process's CPU time so far (user and system, /proc's clock ticks of 10 ms). */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return 0
  }
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return Math.round(Number(m?.[1] ?? 0) / 1024)
  } catch {
    return 0
  }
}
