import { spawn, type ChildProcess } from 'node:child_process'
import { onTestFinished, vi } from 'vitest'

/**
 * A test's timeout guards against a hang; it is not a speed assertion. Where a test's work scales with CPU (a
 * child process that loads Node, Python or newman; an engine worker thread's first start; a body of many
 * megabytes), the suite's 20 s failed work that was not wrong: at load 30-42 on the CI machine's two cores a
 * process waits most of its wall time for a core, and cases that take 1-3 s quiet ran past 20 s. These bounds
 * leave that room and still end a test that hangs.
 */
export const HANG_GUARD_MS = 120_000

/** Gives every test and hook of the calling file HANG_GUARD_MS (or `ms`); vitest puts its config back after the file. */
export function guardOnlyAgainstHangs(ms = HANG_GUARD_MS): void {
  vi.setConfig({ testTimeout: ms, hookTimeout: ms })
}

/** What a tool run by runTool wrote. */
export interface ToolOutput {
  stdout: string
  stderr: string
}

/** A tool's run failed: its exit, with what it wrote on stderr. */
export class ToolFailed extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message)
  }
}

/**
 * Runs a tool (curl, http, sh -c …) for the current test and makes sure it does not outlive it. The child leads
 * a process group of its own, so `sh -c` and what it started go together: killed (SIGKILL) once `wallMs` passes,
 * and killed and waited for when the test ends, passed, failed or timed out, so a timed-out test leaves no
 * process or pipe behind in the shared worker. Outside a test (a hook) only the wall bound applies.
 */
export function runTool(
  file: string,
  args: string[],
  options: { cwd?: string; wallMs?: number } = {},
): Promise<ToolOutput> {
  const wallMs = options.wallMs ?? HANG_GUARD_MS - 10_000
  // stdin a pipe left open and never written, as execFile's: not a terminal, as in a script.
  const child = spawn(file, args, { cwd: options.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => killGroup(child), wallMs)
  const closed = new Promise<ToolOutput>((resolve, reject) => {
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve({ stdout, stderr })
      else {
        const how = signal ? `killed by ${signal}` : `exited ${code}`
        reject(new ToolFailed(`${file} ${args.join(' ')} ${how}\n${stderr}`, stderr))
      }
    })
  })
  try {
    onTestFinished(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      killGroup(child)
      await closed.catch(() => undefined)
      // The child's handle is released in the close phase of a later turn of the loop than its 'close' event.
      await new Promise((resolve) => setTimeout(resolve, 10))
    })
  } catch {
    // Called from a hook: the wall bound alone ends it.
  }
  return closed
}

function killGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}
