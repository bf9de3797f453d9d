import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'
import { CHILD_BOUND, processCpuMs } from '../helpers/child-wait'
import { watchOwnTime, type OwnTimeWatch } from '../helpers/own-time'
import { HANG_GUARD_MS } from '../setup/hang-guard'

export interface CliChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /**
   * From the signal to the process's end, less the time it waited for a core (test/helpers/own-time.ts): what a
   * person would notice of how promptly it stopped, whatever the machine's load. Null: no signal was sent.
   */
  afterSignalMs: number | null
  /** From the start to the end, less the time it waited for a core, as afterSignalMs. */
  ownMs: number
}

export interface CliChildOptions {
  /** The working folder; its `config` subfolder becomes FLIGHTDECK_CONFIG_DIR. */
  root: string
  /** Written to stdin, which is then ended unless `holdStdin`. */
  input?: Buffer
  holdStdin?: boolean
  /** The process's temp folder (TMPDIR). */
  temp?: string
  /** Sent once `whenReady` answers true (polled every 20 ms; at once without it), `delayMs` later. */
  signal?: NodeJS.Signals
  whenReady?: (pid: number) => boolean
  delayMs?: number
}

/** A hang guard, not a speed bound: under the file's HANG_GUARD_MS, so the run's own message says what hung. */
const KILL_AFTER_MS = HANG_GUARD_MS - 10_000

/**
 * Runs `flightdeck <args>` as a person does, with a pipe for stdin and a signal sent once the process is where
 * the test wants it (waiting for a FIFO's writer, holding a file open). The wait for that is bounded by the
 * child's CPU time (test/helpers/child-wait.ts), not the wall clock a loaded machine stretches: a child that never
 * gets there fails the run, saying so, rather than being signalled somewhere else. SIGKILL at KILL_AFTER_MS.
 * Its files take guardOnlyAgainstHangs().
 */
export function runCliChild(args: readonly string[], opts: CliChildOptions): Promise<CliChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLIGHTDECK_BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: opts.root,
      env: {
        ...process.env,
        FLIGHTDECK_CONFIG_DIR: join(opts.root, 'config'),
        ...(opts.temp ? { TMPDIR: opts.temp } : {}),
      },
    })
    let stdout = ''
    let stderr = ''
    const whole = watchOwnTime(child.pid ?? 0)
    let afterSignal: OwnTimeWatch | null = null
    let ready = false
    let neverReady: string | null = null
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const killer = setTimeout(() => killNow(child), KILL_AFTER_MS)
    const readyBy = Date.now() + KILL_AFTER_MS - 10_000
    let delay: ReturnType<typeof setTimeout> | null = null
    const poll = setInterval(() => {
      whole.sample()
      afterSignal?.sample()
      if (!opts.signal || ready || neverReady !== null) return
      const pid = child.pid ?? 0
      if (opts.whenReady?.(pid) ?? true) {
        ready = true
        delay = setTimeout(() => {
          afterSignal = watchOwnTime(pid)
          child.kill(opts.signal)
        }, opts.delayMs ?? 0)
        return
      }
      const cpu = processCpuMs(pid)
      if ((cpu !== null && cpu > CHILD_BOUND.cpuMs) || Date.now() > readyBy) {
        neverReady = `flightdeck ${args.join(' ')} never got where ${opts.signal} was to reach it (${cpu ?? '?'} ms of CPU spent)`
        killNow(child)
      }
    }, 20)
    const closed = new Promise<void>((done) => {
      child.on('close', (code, signal) => {
        clearTimeout(killer)
        clearInterval(poll)
        if (delay) clearTimeout(delay)
        if (neverReady !== null) reject(new Error(`${neverReady}; its stderr: ${stderr}`))
        else
          resolve({
            code,
            signal,
            stdout,
            stderr,
            afterSignalMs: afterSignal?.ownMs() ?? null,
            ownMs: whole.ownMs(),
          })
        done()
      })
      child.on('error', (error) => {
        reject(error)
        done()
      })
    })
    // A test that times out does not leave its child running beside the next files of the worker.
    try {
      onTestFinished(async () => {
        killNow(child)
        await closed
      })
    } catch {
      // Started from a hook: KILL_AFTER_MS alone ends it.
    }
    child.stdin.on('error', () => {})
    if (opts.input) child.stdin.write(opts.input)
    if (!opts.holdStdin) child.stdin.end()
  })
}

function killNow(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/** Whether a thread of process `pid` waits for a FIFO's other end (Linux names that wait `wait_for_partner`). */
export function waitsOnFifo(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some(
      (t) => readFileSync(`/proc/${pid}/task/${t}/wchan`, 'utf8') === 'wait_for_partner',
    )
  } catch {
    return false
  }
}
