import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StepResult } from '../../../src/engine/runner/run-step'
import type { EngineService } from '../../../src/engine/service'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService } from '../helpers'

/**
 * Scripts that try to leave the sandbox or take the engine down: each is stopped with a clear error naming the
 * request and what stopped it, the engine's own thread stays responsive meanwhile, and the other requests of
 * the run finish and pass.
 */

let stub: ScriptStub
let service: EngineService
let dir: string
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-escape-config-')) })
  dir = mkdtempSync(join(tmpdir(), 'fd-escape-'))
  const file = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  file('collection.yaml', `flightdeck: 1\nname: Escapes\nvariables:\n  base: ${stub.url}\n`)
  const request = (n: number, name: string, script: string): void =>
    file(
      `${String(n).padStart(2, '0')}-${name.toLowerCase().replace(/\W+/g, '-')}.yaml`,
      `name: ${JSON.stringify(name)}\nmethod: GET\nurl: "{{base}}/legacy"\nscripts:\n  test: |\n${script
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n  translated: false\n`,
    )
  request(
    1,
    'Function constructor',
    `const p = this.constructor.constructor('return process')()\npm.test('got process', () => pm.expect(p).to.be.an('object'))`,
  )
  request(
    2,
    'Require fs',
    `const fs = require('fs')\npm.test('read a file', () => fs.readFileSync('/etc/passwd'))`,
  )
  request(3, 'Dynamic import', `await import('fs')`)
  request(
    4,
    'Prototype pollution',
    `Object.prototype.polluted = 'yes'\nArray.prototype.map = function () { return ['owned'] }\nJSON.parse = function () { return { owned: true } }\npm.environment.set('__proto__', 'x')\npm.test('polluted its own sandbox only', () => pm.expect(({}).polluted).to.equal('yes'))`,
  )
  request(5, 'Infinite loop', `while (true) {}`)
  request(
    6,
    'One gigabyte',
    `const big = new Uint8Array(1024 * 1024 * 1024)\npm.test('allocated', () => pm.expect(big.length).to.be.above(0))`,
  )
  request(
    7,
    'File URL',
    `pm.sendRequest('file:///etc/passwd', function (err, res) {\n  pm.test('file refused', () => { pm.expect(err).to.be.an('error'); pm.expect(String(err)).to.match(/only http and https/); pm.expect(res).to.equal(null) })\n})`,
  )
  request(8, 'Deep recursion', `function down(n) { return down(n + 1) + 1 }\ndown(0)`)
  request(9, 'Still fine', `pm.test('still fine', () => pm.expect(pm.response.json().count).to.equal(3))`)
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
  rmSync(dir, { recursive: true, force: true })
})

async function run(): Promise<StepResult[]> {
  const opened = await service.invoke('collection.open', { dir })
  if (!opened.ok) throw new Error(opened.error.message)
  const started = await service.invoke('run.start', {
    dir: opened.value.dir,
    path: '',
    concurrency: 1,
    iterations: 1,
  })
  if (!started.ok) throw new Error(started.error.message)
  const report = await service.waitForRun(started.value.runId)
  return report?.results ?? []
}

describe('the script sandbox holds', () => {
  it('every escape fails with a clear error, the engine stays responsive, the other requests pass', async () => {
    // The engine's thread keeps turning while scripts spin in the worker.
    let ticks = 0
    let longest = 0
    let last = performance.now()
    const timer = setInterval(() => {
      const now = performance.now()
      longest = Math.max(longest, now - last)
      last = now
      ticks++
    }, 20)
    const hostBefore = Object.getOwnPropertyNames(Object.prototype).length
    let results: StepResult[]
    try {
      results = await run()
    } finally {
      clearInterval(timer)
    }
    const failure = (name: string): string =>
      results.find((r) => r.name === name)?.scripts?.post?.failure?.message ?? 'no failure'
    expect(failure('Function constructor')).toMatch(
      /test script of request "Function constructor": .*'process' is not defined/,
    )
    expect(failure('Require fs')).toMatch(/require\('fs'\): not available in Flightdeck's sandbox/)
    expect(failure('Dynamic import')).toMatch(/test script of request "Dynamic import": .*(import|module)/i)
    expect(failure('Infinite loop')).toBe(
      'test script of request "Infinite loop": CPU time over 2 s: the script was stopped',
    )
    expect(failure('One gigabyte')).toBe(
      'test script of request "One gigabyte": memory over 64 MB: the script was stopped',
    )
    expect(failure('Deep recursion')).toMatch(/test script of request "Deep recursion": stack over \d+ KB/)
    const kinds = Object.fromEntries(results.map((r) => [r.name, r.scripts?.post?.failure?.kind]))
    expect(kinds).toMatchObject({
      'Infinite loop': 'timeout',
      'One gigabyte': 'memory',
      'Deep recursion': 'limit',
    })
    // Each of those failed its step, and the run carried on to the end.
    for (const name of [
      'Function constructor',
      'Require fs',
      'Dynamic import',
      'Infinite loop',
      'One gigabyte',
      'Deep recursion',
    ])
      expect(results.find((r) => r.name === name)?.passed).toBe(false)
    expect(results.find((r) => r.name === 'File URL')?.scripts?.post?.tests).toEqual([
      { name: 'file refused', passed: true },
    ])
    expect(results.find((r) => r.name === 'Prototype pollution')?.passed).toBe(true)
    const last9 = results.find((r) => r.name === 'Still fine')
    // What a script changed in its run's sandbox stays there (as in Postman's); the reports still read right.
    expect(last9?.scripts?.post?.tests).toEqual([{ name: 'still fine', passed: true }])
    expect(last9?.passed).toBe(true)
    expect(results).toHaveLength(9)
    // Nothing reached the host: its prototypes, JSON and file URL untouched; no file: request was made.
    expect(Object.getOwnPropertyNames(Object.prototype)).toHaveLength(hostBefore)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(JSON.parse('{"a":1}')).toEqual({ a: 1 })
    expect([1].map((x) => x + 1)).toEqual([2])
    // A 2 s loop in the sandbox held up the engine's thread for far less.
    expect(ticks).toBeGreaterThan(50)
    expect(longest).toBeLessThan(1000)
  }, 60_000)
})
