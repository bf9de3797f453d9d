import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { childScriptArgs } from '../helpers/child-script'
import { CHILD_SCRIPTS } from '../setup/child-scripts'

/**
 * The TypeScript child scripts tests start are built once a run (test/setup/child-scripts.ts, this project's
 * globalSetup) and started as plain JS, not through tsx's loader at each start.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('the child scripts tests start', () => {
  it('exist, and start from this run’s build', () => {
    for (const script of CHILD_SCRIPTS) {
      expect(existsSync(join(root, script)), script).toBe(true)
      const args = childScriptArgs(join(root, script))
      expect(args, script).toEqual([expect.stringMatching(/\.mjs$/)])
      expect(existsSync(args[0] ?? ''), script).toBe(true)
    }
  })

  it('start through tsx where there is no build', () => {
    const built = process.env['FLIGHTDECK_TEST_CHILDREN']
    process.env['FLIGHTDECK_TEST_CHILDREN'] = join(root, 'no-such-folder')
    try {
      const script = join(root, CHILD_SCRIPTS[0] ?? '')
      expect(childScriptArgs(script)).toEqual(['--import', 'tsx', script])
    } finally {
      process.env['FLIGHTDECK_TEST_CHILDREN'] = built
    }
  })
})
