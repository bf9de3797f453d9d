// undici's base of every dispatcher (Agent, Pool, Client): http-refused-pools.test.ts watches its dispatch.
declare module 'undici/lib/dispatcher/dispatcher-base.js' {
  import type { Dispatcher } from 'undici'
  const DispatcherBaseClass: typeof Dispatcher
  export default DispatcherBaseClass
}
