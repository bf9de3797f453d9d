import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cliProcessFiles } from '../setup/cli-process-files'
import { LEFTOVERS_FAIL_IN } from '../setup/process-resources'
import { FAILED_SHARING, ownProcessReason, ownProcessReasons } from '../setup/own-process-files'

/**
 * vitest.config.ts's `cli-process` project holds every file that starts the `flightdeck` command, found rather
 * than listed (test/setup/cli-process-files.ts): there they get the run's CLI bundle and their longer bound. A file
 * missing from it started the source through tsx in a dev checkout and could time out at 20 s on a loaded runner.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))

interface Project {
  test: {
    name: string
    include?: string[]
    exclude?: string[]
    globalSetup?: string[]
    isolate?: boolean
    setupFiles?: string[]
  }
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

/** A glob of the kinds vitest.config.ts uses (`**`, `*`, plain paths) as a pattern over a whole path. */
function globPattern(glob: string): RegExp {
  const parts = glob.split(/(\*\*\/|\*\*|\*)/).map((part) => {
    if (part === '**/') return '(?:.*/)?'
    if (part === '**') return '.*'
    if (part === '*') return '[^/]*'
    return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  })
  return new RegExp(`^${parts.join('')}$`)
}

/** Whether a project's include and exclude globs take a file (relative to the root, as vitest reads them). */
function projectHolds(project: Project, file: string): boolean {
  const matches = (globs: string[] | undefined): boolean =>
    (globs ?? []).some((g) => globPattern(g).test(file))
  return matches(project.test.include) && !matches(project.test.exclude)
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
        expect(projectHolds(other, file), `${other.test.name} leaves out ${file}`).toBe(false)
    }
  })
})

describe('every test file', () => {
  it('runs in exactly one project, and in its own process only when own-process-files.ts finds why', async () => {
    const all = await projects()
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'test'], { cwd: root })
      .toString()
      .split('\n')
      .filter((f) => /\.test\.tsx?$/.test(f) && !f.startsWith('test/e2e/'))
    expect(files.length).toBeGreaterThan(400)
    const found = new Set(cliProcessFiles(root))
    const reasons = ownProcessReasons(root)
    for (const file of files) {
      const holders = all.filter((p) => projectHolds(p, file)).map((p) => p.test.name)
      const expected = found.has(file) ? 'cli-process' : reasons.get(file) ? 'own-process' : 'shared-process'
      expect(holders, file).toEqual([expected])
    }
  })

  it('that measures its memory, floods or says so gets a process of its own; one that shares does not', () => {
    expect(ownProcessReason('test/engine/a.test.ts', 'const before = process.memoryUsage().rss')).toBe(
      'measures its memory',
    )
    expect(ownProcessReason('test/engine/ws-flood.test.ts', '')).toBe('floods')
    expect(ownProcessReason('test/engine/a.test.ts', "// own-process: reads the process's title\n")).toBe(
      'says so',
    )
    expect(ownProcessReason('test/engine/a.test.ts', "process.on('uncaughtExceptionMonitor', m)")).toBe(
      'listens on the process',
    )
    expect(ownProcessReason('test/engine/a.test.ts', 'const used = process.cpuUsage(before)')).toBeNull()
  })

  it('that measures its memory through a helper gets a process of its own, unless the helper is not asked to', () => {
    const measuring = { path: 'test/x/helper.ts', source: 'const used = process.memoryUsage().heapUsed' }
    expect(ownProcessReason('test/x/a.test.ts', "import { run } from './helper'", [measuring])).toBe(
      'measures its memory (through test/x/helper.ts)',
    )
    const onRequest = {
      path: 'test/x/harness.ts',
      source: `// own-process for files using: sampleMemory\n${measuring.source}`,
    }
    expect(ownProcessReason('test/x/a.test.ts', 'await run({ sampleMemory: true })', [onRequest])).toBe(
      'measures its memory (through test/x/harness.ts)',
    )
    expect(ownProcessReason('test/x/a.test.ts', 'await run({})', [onRequest])).toBeNull()
    // The catalogue files whose cases sample memory through test/catalogue/harness.ts, with no comment of their own.
    const reasons = ownProcessReasons(root)
    for (const file of ['test/catalogue/streams.test.ts', 'test/catalogue/informational.test.ts'])
      expect(reasons.get(file), file).toBe('measures its memory (through test/catalogue/harness.ts)')
    expect(reasons.get('test/catalogue/templates.test.ts')).toBeNull()
  })

  it('that shares a worker process with others is guarded, and fails for what it leaves running', async () => {
    const sharing = (await projects()).filter((p) => p.test.isolate === false)
    expect(sharing.map((p) => p.test.name).sort()).toEqual(['cli-process', 'shared-process'])
    for (const p of sharing) {
      expect(p.test.setupFiles, p.test.name).toContain('test/setup/fresh-modules.ts')
      expect(LEFTOVERS_FAIL_IN.has(p.test.name), p.test.name).toBe(true)
    }
  })

  it('kept apart after failing to share a process still exists', () => {
    for (const file of Object.keys(FAILED_SHARING)) expect(existsSync(`${root}${file}`), file).toBe(true)
  })
})
