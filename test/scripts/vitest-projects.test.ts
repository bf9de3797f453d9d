import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cliProcessFiles } from '../setup/cli-process-files'

/**
 * vitest.config.ts's `cli-process` project holds every file that starts the `flightdeck` command, found rather
 * than listed (test/setup/cli-process-files.ts): there they get the run's CLI bundle and their longer bound. A file
 * missing from it started the source through tsx in a dev checkout and could time out at 20 s on a loaded runner.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))

interface Project {
  test: { name: string; include?: string[]; exclude?: string[]; globalSetup?: string[] }
}

async function projects(): Promise<Project[]> {
  // The config gives the whole run a fresh config folder when loaded: this load's goes with the test.
  const before = { config: process.env['FLIGHTDECK_CONFIG_DIR'], xdg: process.env['XDG_CONFIG_HOME'] }
  const config = (await import('../../vitest.config')).default as { test: { projects: Project[] } }
  const made = process.env['XDG_CONFIG_HOME']
  if (made && made !== before.xdg) rmSync(made, { recursive: true, force: true })
  process.env['FLIGHTDECK_CONFIG_DIR'] = before.config
  process.env['XDG_CONFIG_HOME'] = before.xdg
  return config.test.projects
}

describe('the files that start the flightdeck command', () => {
  const found = cliProcessFiles(root)

  it('are found directly, through a helper, and through a helper of a helper; in-process and e2e files are not', () => {
    expect(found).toEqual(
      expect.arrayContaining([
        'test/hosts/cli.test.ts', // names the bin file
        'test/cli/one-off-user-agent.test.ts', // test/fixtures/cli-process.ts
        'test/renderer/cookie-jar-note.test.ts', // the same, from a renderer file
        'test/cli/signals.test.ts',
        'test/hosts/cli-env-var.test.ts', // test/hosts/secret-collection.ts → test/fixtures/cli-process.ts
        'test/hosts/cli-startup.test.ts', // the built CLI through test/hosts/cli-startup-probe.ts
        'test/hosts/bin-checkout-entry.test.ts',
      ]),
    )
    expect(found).not.toContain('test/engine/graphql-cli.test.ts') // runCli in-process
    expect(found).not.toContain('test/shared/file-size.test.ts')
    expect(found.filter((f) => f.startsWith('test/e2e/'))).toEqual([])
  })

  it('run in the cli-process project with the run’s CLI bundle, and in no other project', async () => {
    const all = await projects()
    const cli = all.find((p) => p.test.name === 'cli-process')
    expect(cli?.test.include).toEqual(found)
    expect(cli?.test.globalSetup).toEqual(['test/setup/cli-bundle.ts'])
    for (const other of all.filter((p) => p !== cli)) {
      for (const file of ['test/renderer/cookie-jar-note.test.ts', 'test/hosts/cli-startup.test.ts'])
        expect(other.test.exclude, `${other.test.name} leaves out ${file}`).toContain(file)
    }
  })
})
