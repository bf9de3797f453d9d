import { ScriptsPanelPreview, ScriptsPreview } from '../scripts/ScriptsPreview'
import { lazyPane } from './LazyPane'

/**
 * The panes loaded on first use, each its own chunk (pinned by hash in the page's CSP like the entry: see
 * scripts/renderer-csp-plugin.ts). What stays in the entry is what the first composer shows: the request
 * line, params, headers, the timeline and the details.
 */

export const BodyEditor = lazyPane(
  'body editor',
  () => import('../composer/BodyEditor').then((m) => m.BodyEditor),
  'editor',
)
export const TestsPanel = lazyPane('Tests tab', () =>
  import('../composer/TestsPanel').then((m) => m.TestsPanel),
)
export const ScriptsPanel = lazyPane(
  'Scripts tab',
  () => import('../scripts/ScriptsPanel').then((m) => m.ScriptsPanel),
  'editor',
  ScriptsPanelPreview,
)
export const ScriptEditors = lazyPane(
  'script editors',
  () => import('../scripts/ScriptEditors').then((m) => m.ScriptEditors),
  'editor',
  ScriptsPreview,
)
export const GraphqlComposer = lazyPane(
  'GraphQL editor',
  () => import('../graphql/GraphqlComposer').then((m) => m.GraphqlComposer),
  'graphql',
)
export const GrpcComposer = lazyPane(
  'gRPC method bar',
  () => import('../grpc/GrpcComposer').then((m) => m.GrpcComposer),
  'line',
)
export const GrpcMessagePanel = lazyPane(
  'gRPC message editor',
  () => import('../grpc/GrpcComposer').then((m) => m.GrpcMessagePanel),
  'editor',
)
export const GrpcSendBox = lazyPane(
  'gRPC send box',
  () => import('../grpc/GrpcSendBox').then((m) => m.GrpcSendBox),
  'editor',
)
