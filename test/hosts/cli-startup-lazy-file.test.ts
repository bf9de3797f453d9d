import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { builtCli, root, startupFixture } from './cli-startup-probe'

/**
 * `send` is built as two files (scripts/cli-split-command.mjs): the one its start evaluates, and the code it
 * reaches only through a lazy import (other protocols, the runner, collections, importers, multipart bodies),
 * which a plain `send` never reads: half of the one file it was, whose text and code cache every start paid for.
 * Needs `npm run build` first (or FLIGHTDECK_TEST_CLI: a private build).
 */

const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')
const cached = join(dirname(entry), 'cached')

/** Source folders a plain `send` never runs: none of them may be in the file its start evaluates. */
const REACHED_LATER = [
  'src/engine/runner/',
  'src/engine/collections/',
  'src/engine/importers/',
  'src/engine/streams/',
  'src/engine/grpc/',
  'src/engine/mqtt/',
  'src/engine/socketio/',
  'src/engine/graphql/',
  'src/engine/jobs/async-handlers.ts',
  'src/engine/exporters/',
]

function sourcesOf(file: string): string[] {
  const map = JSON.parse(readFileSync(join(cached, `${file}.map`), 'utf8')) as {
    sources?: string[]
    sections?: { map: { sources: string[] } }[]
  }
  return map.sources ?? (map.sections ?? []).flatMap((s) => s.map.sources)
}

describe("send's start evaluates none of the code it reaches only lazily", () => {
  const { dir, url } = startupFixture()
  const index = (): Record<string, string> =>
    JSON.parse(readFileSync(join(cached, 'index.json'), 'utf8')) as Record<string, string>

  it('the file a send starts with holds none of the lazily reached modules; they are in its lazy file', () => {
    const files = index()
    expect(files['send-command.lazy']).toMatch(/^send-lazy-\w+\.cjs$/)
    const eager = sourcesOf(files['send-command'] ?? '')
    expect(eager.some((s) => s.endsWith('src/cli/send-command.ts'))).toBe(true)
    expect(eager.filter((s) => REACHED_LATER.some((folder) => s.includes(folder)))).toEqual([])
    const lazy = sourcesOf(files['send-command.lazy'] ?? '')
    for (const folder of REACHED_LATER)
      expect(
        lazy.some((s) => s.includes(folder)),
        folder,
      ).toBe(true)
  })

  it('a plain send never compiles the lazy file; a multipart send loads it and shares the first file’s modules', async () => {
    const env = { FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'lazy-file-code-cache') }
    for (const cache of ['none', 'taken']) {
      const send = await builtCli(dir, ['send', url()], {}, env)
      expect(send.code).toBe(0)
      expect(send.stdout).toContain('HTTP/1.1 200 OK')
      expect(send.compiled).toEqual([{ file: expect.stringMatching(/send-command-\w+\.cjs$/), cache }])
    }

    // A file field makes a multipart body: undici's FormData and the field-file reader are lazy chunks, which
    // import the engine's modules the first file evaluated (one registry: the same objects, not copies).
    const field = join(dir, 'field.txt')
    writeFileSync(field, 'hello from a file\n')
    for (const cache of ['none', 'taken']) {
      const multipart = await builtCli(dir, ['send', url(), '-F', `upload=@${field}`], {}, env)
      expect(multipart.stderr).toBe('')
      expect(multipart.code).toBe(0)
      expect(multipart.stdout).toContain('HTTP/1.1 200 OK')
      expect(multipart.compiled).toEqual([
        { file: expect.stringMatching(/send-command-\w+\.cjs$/), cache: 'taken' },
        { file: expect.stringMatching(/send-lazy-\w+\.cjs$/), cache },
      ])
    }
  }, 60_000)
})
