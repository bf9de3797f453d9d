import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

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
  stop(): Promise<void>
}

export async function startBuiltWebHost(timeoutMs = 15_000): Promise<RunningWebHost> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build before the e2e tests`)
  const child: ChildProcess = spawn(process.execPath, [entry, '--port', '0', '--no-open'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
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

  return {
    url,
    origin: new URL(url).origin,
    stderr: () => err,
    stop: () =>
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
      }),
  }
}
