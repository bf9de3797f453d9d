import { afterAll, describe, expect, it } from 'vitest'
import { boundedModule } from '../../../src/engine/scripts/sandbox-memory'

/**
 * Sandboxes share the compiled QuickJS code and nothing else: making ten sandbox modules compiles the WebAssembly
 * once (it was compiled for each, about 9 ms of CPU every time), and each still has a memory of its own that a
 * script filling one leaves the others' room untouched.
 */

const real = { compile: WebAssembly.compile, instantiate: WebAssembly.instantiate }
let compiles = 0
// Counts every compile of WebAssembly bytes, whichever call does it (instantiate with bytes compiles too).
WebAssembly.compile = (bytes) => {
  compiles++
  return real.compile(bytes)
}
WebAssembly.instantiate = ((source: WebAssembly.Module | BufferSource, imports?: WebAssembly.Imports) => {
  if (!(source instanceof WebAssembly.Module)) compiles++
  return real.instantiate(source as BufferSource, imports)
}) as typeof WebAssembly.instantiate
afterAll(() => {
  WebAssembly.compile = real.compile
  WebAssembly.instantiate = real.instantiate
})

describe('sandbox modules', () => {
  it('compile the QuickJS code once for ten, each on a memory of its own', async () => {
    const modules = []
    for (let i = 0; i < 10; i++) modules.push(await boundedModule(64))
    expect(compiles).toBe(1)
    const memories = new Set(modules.map((m) => m.getWasmMemory()))
    expect(memories.size).toBe(10)

    // One sandbox filled to its limit: the next one still evaluates, and its memory did not grow.
    const [full, other] = modules
    if (!full || !other) throw new Error('no modules')
    const otherBytes = other.getWasmMemory().buffer.byteLength
    const rt = full.newRuntime()
    const ctx = rt.newContext()
    const r = ctx.evalCode(`var a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length)`)
    expect('error' in r).toBe(true)
    if ('error' in r) r.error?.dispose()
    const fullBytes = full.getWasmMemory().buffer.byteLength
    expect(fullBytes).toBeGreaterThan(60 * 1024 * 1024)
    expect(fullBytes).toBeLessThanOrEqual(64 * 1024 * 1024)
    const ctx2 = other.newContext()
    const v = ctx2.evalCode('[1, 2, 3].map((x) => x * 2).join(",")')
    if ('error' in v) throw new Error('the other sandbox failed')
    expect(ctx2.getString(v.value)).toBe('2,4,6')
    v.value.dispose()
    ctx2.dispose()
    expect(other.getWasmMemory().buffer.byteLength).toBe(otherBytes)
  })
})
