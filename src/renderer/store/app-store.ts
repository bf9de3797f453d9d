import { createStore, type StoreApi } from 'zustand/vanilla'
import type { ApiClient } from '../client/api-client'
import type { AppState } from './app-state'
import { createBodySlice } from './body-slice'
import { createComposerSlice } from './composer-slice'
import { createHostSlice } from './host-slice'
import { createSelectionSlice, followRedirectSelection } from './selection-slice'
import { createTimelineSlice } from './timeline-slice'
import type { FrameScheduler } from '../timeline/batch-intake'
import { createStreamLanesSlice } from '../streams/stream-lanes-slice'
import { createStreamOpenSlice } from '../streams/stream-open-slice'
import { createGrpcSlice } from '../grpc/grpc-slice'
import { createMessagingSlice } from '../mqtt/messaging-slice'
import { createGraphqlSlice } from '../graphql/graphql-slice'
import { createMessageLogSlice } from '../streams/message-log-slice'
import { createMessageDataSlice } from '../streams/message-data-slice'
import { createWsSendSlice } from '../streams/ws-send-slice'
import { createAssembleSlice } from '../streams/assemble-slice'
import { createCollectionsSlice, type EnvMemory } from '../sidebar/collections-slice'
import { createTabsSlice } from '../tabs/tabs-slice'
import { createTabFilesSlice } from '../tabs/tab-files-slice'
import { createImportExportSlice } from '../sidebar/import-export-slice'
import { createTimelineViewSlice } from '../timeline/view-slice'
import { createViewerSlice } from '../details/viewer-slice'
import { createHarSlice } from '../timeline/har-slice'
import { createAsyncSlice } from '../async/async-slice'
import { createRunnerSlice } from '../runner/runner-slice'
import { createFileAccessSlice } from '../files/file-access-slice'
import { createBodyCopySlice, type ClipboardWriter } from '../details/body-copy-slice'
import { createWorkspaceSlice } from '../tabs/workspace-slice'
import { createOAuth2TokenSlice } from '../composer/oauth2-token-slice'

export type AppStore = StoreApi<AppState>

export interface AppStoreOptions {
  /** The renderer's monotonic clock; tests pass their own. */
  localNow?: () => number
  /** Where the chosen environment per collection is remembered (the page's localStorage). */
  envMemory?: EnvMemory | null
  /** Where Copy writes (the system clipboard by default). */
  clipboard?: ClipboardWriter
  /** Paces the engine's live timeline batches to one store update a frame (the page's; none in tests). */
  frames?: FrameScheduler
}

/** One store, built from slices, driven by one client: the app's, or a fake in tests. */
export function createAppStore(client: ApiClient, options: AppStoreOptions = {}): AppStore {
  const localNow = options.localNow ?? (() => performance.now())
  const store = createStore<AppState>()((...a) => ({
    ...createComposerSlice(client)(...a),
    ...createOAuth2TokenSlice(client)(...a),
    ...createTimelineSlice(client, options.frames ?? null)(...a),
    ...createSelectionSlice()(...a),
    ...createBodySlice(client)(...a),
    ...createHostSlice(client, localNow)(...a),
    ...createStreamLanesSlice()(...a),
    ...createStreamOpenSlice(client)(...a),
    ...createGrpcSlice(client)(...a),
    ...createMessagingSlice(client)(...a),
    ...createGraphqlSlice(client)(...a),
    ...createMessageLogSlice(client)(...a),
    ...createMessageDataSlice(client)(...a),
    ...createWsSendSlice(client)(...a),
    ...createAssembleSlice(client)(...a),
    ...createCollectionsSlice(client, options.envMemory ?? null)(...a),
    ...createTabsSlice(client)(...a),
    ...createTabFilesSlice(client)(...a),
    ...createImportExportSlice(client)(...a),
    ...createTimelineViewSlice()(...a),
    ...createViewerSlice(client)(...a),
    ...createHarSlice(client)(...a),
    ...createAsyncSlice(client)(...a),
    ...createRunnerSlice(client)(...a),
    ...createFileAccessSlice(client)(...a),
    ...createBodyCopySlice(client, options.clipboard)(...a),
    ...createWorkspaceSlice(client)(...a),
  }))
  store.subscribe(followRedirectSelection)
  return store
}
