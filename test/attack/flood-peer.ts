import { spawn, type ChildProcess } from 'node:child_process'

/**
 * A flooding peer in a child process, as a real server or broker would be: the engine's socket then always has
 * data waiting. `source` is a Node script that listens on 127.0.0.1 and prints its port on a line.
 */
export async function startFloodPeer(
  source: string,
  name: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('\n')) resolve(Number(out.trim()))
    })
    child.once('exit', (code) => reject(new Error(`the flooding ${name} exited (${code})`)))
  })
  return { child, port }
}

/**
 * Watches a session's log turn by turn of the event loop until it holds `total` entries (or `deadline`, a
 * Date.now() time, passes): how many turns it took and the most entries logged between two turns.
 */
export function countPerTurn(
  entries: () => number,
  total: number,
  deadline: number,
): Promise<{ most: number; turns: number }> {
  return new Promise((resolve, reject) => {
    let before = entries()
    let most = 0
    let turns = 0
    const turn = (): void => {
      const now = entries()
      most = Math.max(most, now - before)
      before = now
      turns++
      if (now >= total) resolve({ most, turns })
      else if (Date.now() > deadline) reject(new Error(`only ${now} of ${total} messages logged`))
      else setImmediate(turn)
    }
    setImmediate(turn)
  })
}
