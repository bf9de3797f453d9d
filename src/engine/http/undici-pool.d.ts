// The undici Pool class, loaded by its own file as undici-parts.ts loads Agent and Client (the index would load all
// of undici): the same class `undici`'s index exports.
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici'
  const PoolClass: typeof Pool
  export default PoolClass
}
