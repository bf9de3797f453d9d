import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileVariable, unresolvedVariable } from '../../src/cli/unresolved-variable'

/**
 * The one-off commands refuse a typed `{{variable}}`, in their arguments and in a `-d @file` text. The pattern
 * that found one let spaces match around its name and backtracked quadratically on `{{a` and spaces never
 * closed: 40,000 took 7.4 s, and each 64 KB chunk of such a file ~20 s. Now a linear match, the name trimmed.
 */

const dir = mkdtempSync(join(tmpdir(), 'fd-attack-cli-braces-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Before: minutes for each (the 10 s bounds are what they fail on); milliseconds now.
describe('an unclosed {{ followed by a long run of spaces', () => {
  it('in an argument: no variable, and one after it is still found', () => {
    const spaces = `{{a${' '.repeat(200_000)}`
    expect(unresolvedVariable('send', [['the URL', `http://127.0.0.1:9/?q=${spaces}`]])).toBeNull()
    expect(unresolvedVariable('send', [['a header', `${spaces} {{ token }}`]])).toMatch(/\{\{token\}\}/)
  }, 10_000)

  it('in a -d @file text: the variable on the line after it is named, with its line', async () => {
    const path = join(dir, 'body.txt')
    writeFileSync(path, `{{a${' '.repeat(1_000_000)}\n{{ token }}\n`)
    const refusal = await fileVariable('send', path, 'the body')
    expect(refusal).toMatch(/\{\{token\}\}/)
    expect(refusal).toContain(`line 2 of ${path}`)
  }, 10_000)
})
