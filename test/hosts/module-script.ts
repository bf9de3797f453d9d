import { spawn } from 'node:child_process'
import { HANG_GUARD_MS } from '../setup/hang-guard'

/** How a script's process ended: its exit code (null when it was killed) and what it wrote. */
export interface ScriptRun {
  code: number | null
  out: string
  err: string
}

export interface ScriptLaunch {
  /** Arguments after the script (its process.argv.slice(1)). */
  args?: string[]
  /** Node or V8 options before it. */
  nodeArgs?: string[]
  /** Added to this process's environment. */
  env?: Record<string, string>
  cwd?: string
  /**
   * Killed (SIGKILL) when it has not ended by then: a hang ends as code null, never as a stuck test. A hang guard,
   * not a speed bound (18 s killed starts that were only waiting for a core at load 35): HANG_GUARD_MS less 10 s
   * unless given, inside the case timeout of a file that takes guardOnlyAgainstHangs().
   */
  killAfterMs?: number
}

/** Runs `script` as an ES module in a Node process of its own (`node --input-type=module -e script`). */
export function runModuleScript(script: string, launch: ScriptLaunch): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(launch.nodeArgs ?? []), '--input-type=module', '-e', script, ...(launch.args ?? [])],
      {
        ...(launch.cwd === undefined ? {} : { cwd: launch.cwd }),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...launch.env },
      },
    )
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), launch.killAfterMs ?? HANG_GUARD_MS - 10_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out, err })
    })
  })
}
