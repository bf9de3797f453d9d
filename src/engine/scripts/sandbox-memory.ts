import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type * as QuickJSApi from 'quickjs-emscripten'
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten'

/**
 * The sandbox's memory, and what crosses it.
 *
 * QuickJS's own limit (`setMemoryLimit`) adds up the sizes malloc reports, and the WebAssembly build has no
 * malloc_usable_size: it counts 8 bytes a block, whatever the block's size, so ten 12 MB strings (120 MB) passed a
 * 64 MB limit and grew the worker's memory by that much. The bound that holds is the WebAssembly memory's maximum:
 * every string, object, ArrayBuffer and regexp of the scripts, the libraries and the interpreter itself live in it;
 * past it malloc fails and the script stops with "out of memory". Each sandbox has a module instance of its own on a
 * memory of its own, so one run's scripts never share (or fill) another's, and a stopped sandbox's memory goes with
 * it. The compiled WebAssembly code is shared: compiled once per worker, instantiated per sandbox (an instance has
 * its own memory, globals and table; the code is read-only), so a new sandbox costs an instantiation, not a compile.
 *
 * The host copies text into that memory (a phase's state, a big body, a library, a sendRequest's answer) and out of
 * it (the report) through quickjs-emscripten, which does not check malloc: a copy into a full memory would be
 * written at address 0, over the interpreter's own data. So every copy in is first tried (`room`), and one that
 * does not fit is refused as the script running out of memory; text read out is measured before it is copied.
 */

const WASM_PAGE = 65536
/** The build's own starting memory (16 MB: its static data and stack are placed in it). */
const INITIAL_PAGES = 256
/** Left free beside a copy: the handles and values the interpreter makes around it. */
const SLACK_BYTES = 64 * 1024

/** The most each memory may grow to (what it was made with; WebAssembly does not say it back). */
const maxima = new WeakMap<WebAssembly.Memory, number>()

/**
 * Shares of the sandbox's memory: what a phase's pm.sendRequests may carry out, all together, and its report (tests,
 * console, variables, a changed request): a quarter each, as a request body a script reads. The variables a script
 * keeps are held to an eighth by the prelude (4-scopes.js).
 */
export const SEND_SHARE = 4
export const REPORT_SHARE = 4
/** The variables' share, as the prelude counts it (VARIABLE_SHARE in 4-scopes.js): held here for its report too. */
export const VARIABLE_SHARE = 8

/** A size in the words the limits use (MB of 1,048,576 bytes, one decimal). */
export function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`
}

let quickjs: Promise<typeof QuickJSApi> | null = null
let compiled: Promise<WebAssembly.Module> | null = null

/**
 * The release build's WebAssembly code, compiled once (the variant's own loader reads and compiles the file again
 * for every module it makes). Found the way quickjs-emscripten finds it: its variant package, resolved from it.
 */
function compiledQuickJS(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const fromHere = createRequire(import.meta.url)
    const fromQuickJS = createRequire(fromHere.resolve('quickjs-emscripten'))
    return WebAssembly.compile(
      await readFile(fromQuickJS.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')),
    )
  })().catch((e: unknown) => {
    compiled = null
    throw e
  })
  return compiled
}

/** A QuickJS module on a WebAssembly memory that cannot grow past `memoryMb`. */
export async function boundedModule(memoryMb: number): Promise<QuickJSWASMModule> {
  // Loaded on the first script: a worker that only indexes bodies or imports never loads QuickJS.
  quickjs ??= import('quickjs-emscripten')
  const [m, wasmModule] = await Promise.all([quickjs, compiledQuickJS()])
  const pages = Math.floor((memoryMb * 1024 * 1024) / WASM_PAGE)
  const maximum = Math.max(INITIAL_PAGES, pages)
  const wasmMemory = new WebAssembly.Memory({ initial: Math.min(INITIAL_PAGES, pages), maximum })
  maxima.set(wasmMemory, maximum * WASM_PAGE)
  return m.newQuickJSWASMModuleFromVariant(m.newVariant(m.RELEASE_SYNC, { wasmMemory, wasmModule }))
}

/**
 * The Emscripten module's allocator. quickjs-emscripten 0.32 keeps it on the context (`module`, private in its
 * types); without it, `room` falls back to what the memory can still grow by.
 */
interface Allocator {
  _malloc: (bytes: number) => number
  _free: (ptr: number) => void
}

function allocatorOf(ctx: QuickJSContext): Allocator | null {
  const m = (ctx as unknown as { module?: Partial<Allocator> }).module
  return m && typeof m._malloc === 'function' && typeof m._free === 'function' ? (m as Allocator) : null
}

/** Whether `bytes` (plus a little) can be allocated in the sandbox's memory now: tried, then freed at once. */
export function room(module: QuickJSWASMModule, ctx: QuickJSContext, bytes: number): boolean {
  const want = bytes + SLACK_BYTES
  const alloc = allocatorOf(ctx)
  if (!alloc) {
    const memory = module.getWasmMemory()
    return memory.buffer.byteLength + want <= maxBytes(memory)
  }
  const ptr = alloc._malloc(want)
  if (ptr === 0) return false
  alloc._free(ptr)
  return true
}

function maxBytes(memory: WebAssembly.Memory): number {
  return maxima.get(memory) ?? memory.buffer.byteLength
}

/**
 * What copying a string in takes: its UTF-8 text (a temporary) and QuickJS's own copy, both at once. Counted from
 * its length (3 bytes a UTF-16 unit at most) for a short one; measured for a long one.
 */
export function copyBytes(text: string): number {
  const utf8 = text.length < 65536 ? text.length * 3 : Buffer.byteLength(text)
  return utf8 * 2 + 16
}

/** A string into the sandbox, or null when its memory has no room for it. */
export function stringIn(module: QuickJSWASMModule, ctx: QuickJSContext, text: string): QuickJSHandle | null {
  return room(module, ctx, copyBytes(text)) ? ctx.newString(text) : null
}

/**
 * A string out of the sandbox: its text, or why not. Measured first: a report longer than `maxChars` is not copied,
 * nor is one the memory has no room to encode (QuickJS makes a UTF-8 copy of it inside the sandbox first).
 */
export function stringOut(
  module: QuickJSWASMModule,
  ctx: QuickJSContext,
  h: QuickJSHandle,
  maxChars: number,
): { text: string } | { tooLong: number } | { noRoom: number } {
  const lengthHandle = ctx.getProp(h, 'length')
  const length = ctx.getNumber(lengthHandle)
  lengthHandle.dispose()
  if (length > maxChars) return { tooLong: length }
  if (!room(module, ctx, length * 3 + 1)) return { noRoom: length }
  return { text: ctx.getString(h) }
}
