import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleScript } from './module-script'
import { startAnsweringServer, type AnsweringServer } from '../fixtures/answering-server'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * The built CLI closes its connections at the end of every command, and undici gives each `destroy()` a
 * ClientDestroyedError as its reason, whose `stack` Node's stream destroy reads at once. Formatting that stack
 * computed the line ends of the ~1.7 MB bundle its frames are in (~20 million instructions, a twentieth of a
 * `send`): the CLI's build makes that error without frames (scripts/build-node.mjs). Needs `npm run build`
 * first (npm test builds before the unit tests); FLIGHTDECK_TEST_CLI points at another build.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')

let server: AnsweringServer
let url: string
let dir: string
beforeAll(async () => {
  server = await startAnsweringServer('ok', 'text/plain')
  url = `${server.base}/x`
  dir = mkdtempSync(join(tmpdir(), 'fd-destroy-stack-'))
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A `send` through the built CLI, saying every stack it formatted: the error's name and its frames. */
async function sendCountingStacks(): Promise<{
  code: number | null
  stacks: { name: string; frames: number }[]
}> {
  const script = `
const stacks = []
Error.prepareStackTrace = (e, sites) => {
  stacks.push({ name: String(e?.name), frames: sites.length })
  return String(e?.name) + ': ' + String(e?.message) + sites.map((s) => '\\n    at ' + s).join('')
}
const m = await import(${JSON.stringify(entry)})
process.exitCode = await m.runCli(['send', ${JSON.stringify(url)}])
process.stderr.write('[stacks] ' + JSON.stringify(stacks) + '\\n')
`
  const { code, err } = await runModuleScript(script, {
    env: {
      FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
      FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
    },
    // Within the test's own 20 s: a hang ends as a clear failure, not a stuck run.
  })
  const line = err.split('\n').find((l) => l.startsWith('[stacks] '))
  if (!line) throw new Error(`no stacks line (exit ${code}): ${err.slice(-2000)}`)
  return { code, stacks: JSON.parse(line.slice('[stacks] '.length)) as { name: string; frames: number }[] }
}

describe('the built CLI at the end of a command', () => {
  it('closes its connections without formatting a stack of frames for their destroy reason', async () => {
    const { code, stacks } = await sendCountingStacks()
    expect(code).toBe(0)
    const destroyed = stacks.filter((s) => s.name === 'ClientDestroyedError')
    // The socket was closed, with undici's destroy reason (the test sees its stack read)...
    expect(destroyed.length).toBeGreaterThan(0)
    // ...and that stack has no frames to place in the bundle.
    expect(destroyed.map((s) => s.frames)).toEqual(destroyed.map(() => 0))
  })
})
