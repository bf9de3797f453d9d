// Types for the undici files the engine imports one by one (undici-parts.ts, agent-pool.ts, request-body.ts): each is the class `undici`'s
// index exports under the same name.
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici'
  const AgentClass: typeof Agent
  export default AgentClass
}
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici'
  const PoolClass: typeof Pool
  export default PoolClass
}
// Pool's internals: reusing-pool.ts chooses which connection takes a request.
declare module 'undici/lib/dispatcher/pool-base.js' {
  export const kClients: symbol
  export const kNeedDrain: symbol
  export const kGetDispatcher: symbol
  export const kAddClient: symbol
}
declare module 'undici/lib/dispatcher/client.js' {
  import type { Client } from 'undici'
  const ClientClass: typeof Client
  export default ClientClass
}
// undici's HTTP/2 connector: undici-internals.ts reads which GOAWAY listener it installs.
declare module 'undici/lib/dispatcher/client-h2.js' {
  const connectH2: (...args: unknown[]) => unknown
  export default connectH2
}
// Imported lazily (request-body.ts), through `default`: a split bundle's chunk of a CommonJS file exports only that.
declare module 'undici/lib/web/fetch/formdata.js' {
  import type { FormData } from 'undici'
  const formdata: { FormData: typeof FormData }
  export default formdata
}
declare module 'undici/lib/web/fetch/response.js' {
  import type { Response } from 'undici'
  const response: { Response: typeof Response }
  export default response
}
// undici's internal symbols: h2-graceful-goaway.ts and reusing-pool.ts read a Client's connection state through them.
declare module 'undici/lib/core/symbols.js' {
  const symbols: Record<
    | 'kHTTP2Session'
    | 'kHTTPContext'
    | 'kSocket'
    | 'kRunning'
    | 'kSize'
    | 'kQueued'
    | 'kConnected'
    | 'kMaxConcurrentStreams'
    | 'kNeedDrain'
    | 'kClient'
    | 'kUrl',
    symbol
  >
  export default symbols
}
