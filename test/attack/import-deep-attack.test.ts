import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'

/**
 * An OpenAPI document whose request schema nests 50,000 `properties` deep (JSON.parse reads it; the importer's
 * recursive steps overflow the stack). `flightdeck import` died with "Maximum call stack size exceeded" and a
 * stack trace (exit 1). It is a file Flightdeck cannot import: refused in words, nothing written.
 */

function deepSpec(depth: number): string {
  const schema = `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`
  return `{"openapi":"3.0.3","info":{"title":"Deep","version":"1"},"paths":{"/x":{"post":{"requestBody":{"content":{"application/json":{"schema":${schema}}}},"responses":{"200":{"description":"ok"}}}}}}`
}

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-import-deep-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('an import nested too deep for the importer', () => {
  it('is refused in words and nothing is written', async () => {
    const into = join(root, 'api')
    const r = await runImport({ text: deepSpec(50_000) }, 'auto', into, new MemorySecretStore())
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'parse',
        message: 'the file is nested too deeply to import (thousands of levels); nothing was written',
      },
    })
    expect(existsSync(into) ? readdirSync(into) : []).toEqual([])
  }, 60_000)
})
