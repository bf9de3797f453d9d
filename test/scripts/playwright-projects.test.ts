import { existsSync, readdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * playwright.config.ts runs the shared project's heaviest specs first (a project of their own, also named
 * `shared`, listed first), so the two workers end together: every name it lists is a spec, and the two `shared`
 * projects take every spec outside `alone` exactly once between them.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const KEYS = ['FLIGHTDECK_E2E_CONFIG_HOME', 'FLIGHTDECK_CONFIG_DIR', 'XDG_CONFIG_HOME'] as const

interface Project {
  name: string
  testMatch?: string[]
  testIgnore?: string[]
}

async function loadConfig(): Promise<{ projects: Project[]; heavy: string[] }> {
  // The config gives the run a fresh config folder when loaded: this load's goes with the test.
  const before = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]))
  const module = (await import('../../playwright.config')) as {
    default: { projects: Project[] }
    HEAVY_FIRST: string[]
  }
  const made = process.env['FLIGHTDECK_E2E_CONFIG_HOME']
  if (made && made !== before['FLIGHTDECK_E2E_CONFIG_HOME']) rmSync(made, { recursive: true, force: true })
  for (const k of KEYS) {
    if (before[k] === undefined) delete process.env[k]
    else process.env[k] = before[k]
  }
  return { projects: module.default.projects, heavy: module.HEAVY_FIRST }
}

const name = (glob: string): string => glob.replace(/^\*\*\//, '')

describe('the Playwright projects', () => {
  it('run the heavy shared specs first, and every spec in exactly one project', async () => {
    const { projects, heavy } = await loadConfig()
    const specs = readdirSync(`${root}test/e2e`).filter((f) => f.endsWith('.spec.ts'))
    for (const glob of heavy) expect(existsSync(`${root}test/e2e/${name(glob)}`), glob).toBe(true)
    expect(projects.map((p) => p.name)).toEqual(['shared', 'shared', 'alone'])
    expect(projects[0]?.testMatch).toEqual(heavy)
    const alone = (projects[2]?.testMatch ?? []).map(name)
    for (const spec of specs) {
      const holders = [
        heavy.map(name).includes(spec),
        !(projects[1]?.testIgnore ?? []).map(name).includes(spec),
        alone.includes(spec),
      ].filter(Boolean)
      expect(holders, spec).toHaveLength(1)
    }
  })
})
