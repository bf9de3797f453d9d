import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliWithConfig, type RunCliOutput } from '../engine/collection-run-folder'
import { parseRunArgs } from '../../src/cli/run-args'

/**
 * `flightdeck run --iterations` stops where the engine does: one request may run 1,000,000 times, the most step
 * runs a run may have; one more is refused with the limit in the words, and a bigger run of several requests is
 * refused by the engine with its step-run count. Nothing is sent in either case (the port below is never listened on).
 */

let dir: string
let configDir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fd-run-cap-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-run-cap-config-'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Cap\n')
  writeFileSync(join(dir, 'a.yaml'), 'name: A\nurl: "http://127.0.0.1:9/a"\n')
  writeFileSync(join(dir, 'b.yaml'), 'name: B\nurl: "http://127.0.0.1:9/b"\n')
})
afterAll(() => {
  for (const d of [dir, configDir]) rmSync(d, { recursive: true, force: true })
})

const cli = (args: string[]): Promise<RunCliOutput> => runCliWithConfig(configDir, args)

describe('flightdeck run --iterations and the engine agree on the most step runs', () => {
  it('takes 1,000,000 iterations and refuses 1,000,001, naming the limit', async () => {
    expect(parseRunArgs(['coll', '--iterations', '1000000'])).toMatchObject({
      kind: 'run',
      iterations: 1_000_000,
    })
    const over = await cli([dir, 'a.yaml', '--iterations', '1000001'])
    expect(over.code).toBe(2)
    expect(over.stdout).toBe('')
    expect(over.stderr).toBe(
      "flightdeck: --iterations must be a whole number from 1 to 1000000, got '1000001' (a run has at most 1,000,000 step runs)\n",
    )
  })

  it('leaves a run of several requests past the limit to the engine, which counts its step runs', async () => {
    const over = await cli([dir, '--iterations', '1000000'])
    expect(over.code).toBe(2)
    expect(over.stderr).toBe('flightdeck: That run has 2,000,000 step runs; at most 1,000,000\n')
  })
})
