/**
 * Node's modules a command's bundled code imports but a plain run of it may never call: each is loaded the first
 * time one of its exports is read, not when the module importing it initialises. Node 20 as some distributions
 * build it has no code cache for its own modules, so loading one compiles it from source on every start:
 * node:crypto, with its ~20 internal modules, cost `flightdeck send` ~7 ms of CPU for a request that draws no
 * random byte and hashes nothing; node:dns ~1 ms for a request to an IP address; node:perf_hooks, whose clock
 * the runner's steps and sign-in waits read when they time something, ~1 % of a send's instructions; node:module
 * (with its source-map code, ~3M instructions under an ES module entry), whose createRequire the engine calls only
 * to load a package from node_modules (yaml, ws, a JSONPath library) when first used; node:fs/promises (~16M
 * instructions with the readline and file-watcher modules it loads), which a send reads a file with only when its
 * body or a certificate is one.
 *
 * Only for the command files compiled with V8's code cache (command-loader.ts): the bundle turns each
 * `import { randomUUID } from 'node:crypto'` into `const m = require('node:crypto')` at the importing module's
 * start and `m.randomUUID(...)` at each call, so a stand-in whose properties load the module on first read
 * behaves as the module does. Modules whose values are used at import (a class extended, a constant read) gain
 * nothing here and are not listed.
 */
export const LAZY_BUILTINS: ReadonlySet<string> = new Set([
  'node:crypto',
  'node:dns',
  'node:perf_hooks',
  'node:module',
  'node:fs/promises',
])

/**
 * `require` as the command's code gets it: Node's own modules through `process.getBuiltinModule` (LAZY_BUILTINS as
 * stand-ins), anything else through the `require` that `makeRequire` makes on first need. Making it loads
 * node:module, which a plain `send` or `run` (only Node's modules and bundled code) never needs: ~3M instructions.
 */
export function lazyBuiltinRequire(makeRequire: () => NodeJS.Require): NodeJS.Require {
  let made: NodeJS.Require | undefined
  const real = (): NodeJS.Require => (made ??= makeRequire())
  const stands = new Map<string, object>()
  const wrapped = ((id: string) => {
    if (!LAZY_BUILTINS.has(id)) return process.getBuiltinModule(id) ?? (real()(id) as unknown)
    let stand = stands.get(id)
    if (!stand) {
      stand = standIn(() => process.getBuiltinModule(id) as object)
      stands.set(id, stand)
    }
    return stand
  }) as NodeJS.Require
  return Object.defineProperties(wrapped, {
    resolve: { get: () => real().resolve, enumerable: true },
    cache: { get: () => real().cache, enumerable: true },
    main: { get: () => real().main, enumerable: true },
  })
}

/**
 * An object that is the module once it is loaded: its first property read (or key listing, or `in`) loads it,
 * and every property is then the module's own, read through each time (so `m.fn` is the module's function).
 * The module's properties are copied onto the stand-in's target when listed, as a Proxy must report a property
 * that cannot be reconfigured as its target has it.
 */
function standIn(load: () => object): object {
  let module: object | undefined
  const loaded = (): object => (module ??= load())
  const target: Record<PropertyKey, unknown> = {}
  const copied = (): Record<PropertyKey, unknown> => {
    for (const key of Reflect.ownKeys(loaded())) {
      if (Object.prototype.hasOwnProperty.call(target, key)) continue
      const d = Reflect.getOwnPropertyDescriptor(loaded(), key)
      if (d) Object.defineProperty(target, key, d)
    }
    return target
  }
  return new Proxy(target, {
    get: (_, key) => Reflect.get(loaded(), key) as unknown,
    has: (_, key) => key in loaded(),
    ownKeys: () => Reflect.ownKeys(copied()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(copied(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(loaded()),
  })
}
