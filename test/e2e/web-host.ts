import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'

/**
 * Starts the built browser host the way a person does (`node out/web/index.js --port 0 --no-open`), reads the
 * one `Flightdeck: <url>` line it prints, and stops it afterwards.
 */

const root = fileURLToPath(new URL('../../', import.meta.url))
const entry = fileURLToPath(new URL('../../out/web/index.js', import.meta.url))

export interface RunningWebHost {
  /** Full URL including the per-launch token. */
  url: string
  origin: string
  /** Everything the host wrote to stderr so far (refusals are logged there). */
  stderr(): string
  /** CPU time the host process has used (every thread), in ms; null where /proc cannot tell. */
  cpuMs(): number | null
  stop(): Promise<void>
}

export interface WebHostLaunch {
  /** Extra command-line arguments (e.g. `--collections DIR`). */
  args?: string[]
  /** Extra environment (e.g. `FLIGHTDECK_CONFIG_DIR`, so a test never touches the real config folder). */
  env?: Record<string, string>
  /** Let the host open a browser (by default `--no-open`); point FLIGHTDECK_BROWSER at a stand-in in `env`. */
  open?: boolean
  /** Another build's host entry (a copy of out/web/index.js elsewhere), for comparing two builds. */
  entry?: string
}

export async function startBuiltWebHost(
  timeoutMs = 15_000,
  launch: WebHostLaunch = {},
): Promise<RunningWebHost> {
  // FLIGHTDECK_WEB_ENTRY: another build's host (a copy of out/ elsewhere), so a suite can run against a private
  // build while others rebuild the shared out/.
  const hostEntry = launch.entry ?? process.env.FLIGHTDECK_WEB_ENTRY ?? entry
  if (!existsSync(hostEntry))
    throw new Error(`${hostEntry} is missing: run npm run build before the e2e tests`)
  // A config folder of its own unless the test names one: the host keeps its workspace and last session
  // there, and a test must never write into the user's. Its own goes when the host stops.
  const ownConfig =
    launch.env?.FLIGHTDECK_CONFIG_DIR === undefined ? mkdtempSync(join(tmpdir(), 'fd-e2e-config-')) : null
  const child: ChildProcess = spawn(
    process.execPath,
    [hostEntry, '--port', '0', ...(launch.open ? [] : ['--no-open']), ...(launch.args ?? [])],
    {
      cwd: root,
      env: { ...process.env, ...(ownConfig ? { FLIGHTDECK_CONFIG_DIR: ownConfig } : {}), ...launch.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  let err = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c))

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`web host printed no URL within ${timeoutMs} ms; stderr: ${err}`))
    }, timeoutMs)
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c
      const line = /^Flightdeck: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)$/m.exec(out)
      if (line?.[1]) {
        clearTimeout(timer)
        resolve(line[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited (${code}) before printing its URL; stderr: ${err}`))
    })
  })

  const ended = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve()
        return
      }
      const force = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.once('exit', () => {
        clearTimeout(force)
        resolve()
      })
      child.kill('SIGTERM')
    })
  return {
    url,
    origin: new URL(url).origin,
    stderr: () => err,
    cpuMs: () => processCpuMs(child.pid),
    stop: async () => {
      await ended()
      if (ownConfig) rmSync(ownConfig, { recursive: true, force: true })
    },
  }
}

let clockTicks: number | undefined

/** A process's user + system CPU time (all its threads) from /proc/<pid>/stat, in ms; null off Linux. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // After the command name, in parentheses: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks
  } catch {
    return null
  }
}

/**
 * Wait until `shown` holds while the host does work that takes `cpuMs` of its CPU time (a script run to its CPU
 * limit): bounded by the host's CPU time, the work itself, rather than the wall time a loaded machine stretches
 * it to (the 2 s limit took over 15 s of wall time above load ~27). Fails once the host has spent `cpuMs` and
 * `slackMs` more without it holding, or after `wallMs` whatever the host did (off Linux: `wallMs` only).
 */
export async function untilHostWorked(
  host: RunningWebHost,
  shown: () => Promise<boolean>,
  opts: { cpuMs: number; slackMs: number; wallMs: number },
): Promise<void> {
  const start = host.cpuMs()
  const wallEnd = Date.now() + opts.wallMs
  for (let round = 0; round < 100_000; round++) {
    if (await shown()) return
    const now = host.cpuMs()
    const spent = start === null || now === null ? 0 : now - start
    if (spent > opts.cpuMs + opts.slackMs)
      throw new Error(`not shown after the host spent ${Math.round(spent)} ms of CPU time`)
    if (Date.now() > wallEnd)
      throw new Error(`not shown within ${opts.wallMs} ms (host CPU ${Math.round(spent)} ms)`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('not shown')
}

/** The bits of the DOM the in-page pixel reader touches (this tsconfig has no DOM lib). */
interface PixelCanvas {
  width: number
  height: number
  getBoundingClientRect(): { left: number; top: number; width: number; height: number }
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> }
  } | null
}
interface RowElement {
  getAttribute(name: string): string | null
  getBoundingClientRect(): { top: number; height: number }
}

/**
 * The right edge, in CSS px, of each visible row's bar as painted on the waterfall canvas, by sid: the
 * rightmost coloured pixel on the row's middle line (grid lines and backgrounds are grey, bars are not).
 */
export async function waterfallBarRights(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const doc = (
      globalThis as unknown as {
        document: { querySelector(s: string): unknown; querySelectorAll(s: string): ArrayLike<unknown> }
      }
    ).document
    const canvas = doc.querySelector('canvas[data-testid="waterfall"]') as PixelCanvas | null
    const ctx = canvas?.getContext('2d')
    if (!canvas || !ctx) return {}
    const box = canvas.getBoundingClientRect()
    const sx = canvas.width / box.width
    const sy = canvas.height / box.height
    const out: Record<string, number> = {}
    const rows = Array.from(doc.querySelectorAll('[role="grid"] [role="row"][data-sid]')) as RowElement[]
    for (const row of rows) {
      const r = row.getBoundingClientRect()
      const y = Math.round((r.top + r.height / 2 - box.top) * sy)
      if (y < 0 || y >= canvas.height) continue
      const line = ctx.getImageData(0, y, canvas.width, 1).data
      for (let x = canvas.width - 1; x >= 0; x--) {
        const red = line[x * 4] ?? 0
        const green = line[x * 4 + 1] ?? 0
        const blue = line[x * 4 + 2] ?? 0
        const alpha = line[x * 4 + 3] ?? 0
        if (alpha > 128 && Math.max(red, green, blue) - Math.min(red, green, blue) > 40) {
          out[row.getAttribute('data-sid') ?? ''] = (x + 1) / sx
          break
        }
      }
    }
    return out
  })
}
