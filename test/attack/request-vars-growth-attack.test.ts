import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { isolatedService } from '../engine/helpers'

/**
 * A request's own variables (Hoppscotch's `requestVariables`, a .bru file's `vars:pre-request`) are written
 * where the request uses them, each use in full. A file whose body says `{{a}}` thousands of times and whose
 * `a` is long writes their product: 10 KB of Hoppscotch became a 5 MB request file, and 200 KB failed the
 * import after gigabytes with 'Internal error in import.run: Invalid string length'. Now the variables may add
 * at most 64 KB or 8 times what the request held; past it they are left out, named in the report's attention
 * list, and the request keeps its {{references}}.
 */

let root: string
let service: EngineService

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-request-vars-'))
  service = isolatedService(root)
})
afterAll(async () => {
  await service.dispose()
  rmSync(root, { recursive: true, force: true })
})

function hoppscotch(body: string, value: string): string {
  return JSON.stringify({
    v: 2,
    name: 'Shared',
    folders: [],
    requests: [
      {
        v: '1',
        name: 'Bomb',
        method: 'POST',
        endpoint: 'http://127.0.0.1:1/',
        params: [],
        headers: [],
        auth: { authType: 'none', authActive: true },
        preRequestScript: '',
        testScript: '',
        body: { contentType: 'text/plain', body },
        requestVariables: [{ key: 'a', value, active: true }],
      },
    ],
  })
}

describe("a request's own variables used many times", () => {
  it('are left out, named, when writing them in would multiply the request', async () => {
    const text = hoppscotch('{{a}}'.repeat(1000), 'x'.repeat(5000))
    const into = join(root, 'bomb')
    const r = await service.invoke('import.run', { format: 'auto', text, into })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.requests).toBe(1)
    expect((r.value.attention ?? []).join('\n')).toContain('Bomb: request variables (a) left out')
    const file = join(into, 'bomb.yaml')
    expect(statSync(file).size).toBeLessThan(8 * text.length)
    expect(readFileSync(file, 'utf8')).toContain('{{a}}{{a}}')
  })

  it('are still written in where they add little', async () => {
    const into = join(root, 'fine')
    const r = await service.invoke('import.run', {
      format: 'auto',
      text: hoppscotch('{{a}}-{{a}}', 'token'),
      into,
    })
    if (!r.ok) throw new Error(r.error.message)
    expect(readFileSync(join(into, 'bomb.yaml'), 'utf8')).toContain('token-token')
  })
})
