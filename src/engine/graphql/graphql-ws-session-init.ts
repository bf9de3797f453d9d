import type { GraphqlParams, PickedOperation } from '../../shared/graphql'
import type { KeyValue } from '../../shared/request'
import type { PluggedSessionInit } from '../streams/stream-engine'
import type { OperationMux } from './graphql-ws-mux'
import type { GraphqlWsOptions } from './graphql-ws-options'

/** What a GraphQL-over-WebSocket session is opened with (graphql-ws-session.ts). */
export interface GraphqlWsSessionInit extends PluggedSessionInit {
  url: string
  headers: KeyValue[]
  protocols: string[]
  params: GraphqlParams
  operation: PickedOperation
  connectionParams?: Record<string, unknown>
  options: GraphqlWsOptions
  /**
   * Set when the connection is shared by several operations, each a session of its own (graphql-ws-mux.ts):
   * this session is then the connection's lane (handshake, keep-alives, close) and carries no operation itself.
   */
  mux?: OperationMux
  /**
   * The server refused the credentials the connection carried: the upgrade's 401, the legacy protocol's
   * connection_error or graphql-ws's 4403 close (servers check them on connection_init). The opener drops a
   * cached OAuth token, as after an HTTP 401.
   */
  onUnauthorized?: () => void
}
