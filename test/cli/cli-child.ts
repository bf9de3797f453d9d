import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FLIGHTDECK_BIN } from '../fixtures/cli-process'

export interface CliChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** When the signal was sent (0: never). */
  signalledAt: number
}

export interface CliChildOptions {
  /** The working folder; its `config` subfolder becomes FLIGHTDECK_CONFIG_DIR. */
  root: string
  /** Written to stdin, which is then ended unless `holdStdin`. */
  input?: Buffer
  holdStdin?: boolean
  /** The process's temp folder (TMPDIR). */
  temp?: string
  /** Sent once `whenReady` answers true (polled every 50 ms, at most 30 s), `delayMs` later. */
  signal?: NodeJS.Signals
  whenReady?: (pid: number) => boolean
  delayMs?: number
}

/**
 * Runs `flightdeck <args>` as a person does, with a pipe for stdin and a signal sent once the process is where
 * the test wants it (waiting for a FIFO's writer, holding a file open). Bounded: SIGKILL at 60 s.
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
    let signalledAt = 0
    let ready = false
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const started = Date.now()
    let delay: ReturnType<typeof setTimeout> | null = null
    const poll = opts.signal
      ? setInterval(() => {
          if (ready) return
          if (!opts.whenReady?.(child.pid ?? 0) && Date.now() - started < 30_000) return
          ready = true
          delay = setTimeout(() => {
            signalledAt = Date.now()
            child.kill(opts.signal)
          }, opts.delayMs ?? 0)
        }, 50)
      : null
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      if (poll) clearInterval(poll)
      if (delay) clearTimeout(delay)
      resolve({ code, signal, stdout, stderr, signalledAt })
    })
    child.stdin.on('error', () => {})
    if (opts.input) child.stdin.write(opts.input)
    if (!opts.holdStdin) child.stdin.end()
  })
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
