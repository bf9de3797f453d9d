import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'
import { builtMain, oneRequestCollection, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()

/**
 * The built CLI's WebAssembly (undici's llhttp, the QuickJS script sandbox) stays in V8's baseline compiler
 * (Liftoff) for a run: the optimising compiles (TurboFan) cost more CPU than they saved. Traced with V8's
 * --trace-wasm-compilation-times. Needs `npm run build` first.
 */

const turbofanCompiles = (out: string): number =>
  out.split('\n').filter((l) => /using TurboFan/.test(l)).length

const TRACE_WASM = { nodeArgs: ['--trace-wasm-compilation-times'] }

describe("the built CLI's WebAssembly tiers", () => {
  const { dir, url } = startupFixture()

  it("a run leaves its WebAssembly (the HTTP parser, the script sandbox) in V8's baseline compiler", async () => {
    // llhttp's optimising compile cost up to 450 ms of CPU and 40 MB, and held the process's exit until done.
    const plain = oneRequestCollection(dir, 'plain-run', url())
    const r = await builtMain(dir, ['run', plain, '--iterations', '200'], TRACE_WASM)
    expect(r.code).toBe(0)
    expect(r.out).toContain('200 passed')
    expect(r.out).toMatch(/using Liftoff/)
    expect(turbofanCompiles(r.out)).toBe(0)

    // Nor does a run's script sandbox (QuickJS): its optimising compiles cost more CPU than they saved.
    const scripted = oneRequestCollection(
      dir,
      'scripted-run',
      url(),
      'var x = 0; for (var i = 0; i < 300000; i++) { x += i % 7 }\n' +
        "pm.test('ok', function () { if (pm.response.code !== 200) throw new Error('status ' + x) })",
    )
    const s = await builtMain(dir, ['run', scripted, '--iterations', '5'], TRACE_WASM)
    expect(s.code).toBe(0)
    expect(s.out).toContain('5 passed')
    expect(turbofanCompiles(s.out)).toBe(0)
  })
})
