import type { AuthSpec, RequestKind } from '../../shared/collection'
import type { AppInfo } from '../../shared/contract'
import type { AppError } from '../../shared/result'
import type { KeyValue, MultipartPart, BodyKind } from '../../shared/request'
import type { TimelineBatch } from '../../shared/contract'
import type { StreamTally } from '../../shared/stream-tally'
import type { ComposerDraft, ComposerOptions } from '../composer/composer-draft'
import type { RunDraftActions } from '../composer/run-draft'
import type { ClockSync } from '../timeline/engine-clock'
import type { TimelineState } from '../timeline/apply-batch'
import type { StreamLanesSlice } from '../streams/stream-lanes-slice'
import type { StreamOpenSlice } from '../streams/stream-open-slice'
import type { GrpcSlice } from '../grpc/grpc-slice'
import type { MessagingSlice } from '../mqtt/messaging-slice'
import type { GraphqlSlice } from '../graphql/graphql-slice'
import type { MessageLogSlice } from '../streams/message-log-slice'
import type { MessageDataSlice } from '../streams/message-data-slice'
import type { WsSendSlice } from '../streams/ws-send-slice'
import type { AssembleSlice } from '../streams/assemble-slice'
import type { CollectionsSlice } from '../sidebar/collections-slice'
import type { TabsSlice } from '../tabs/tabs-slice'
import type { TabFilesSlice } from '../tabs/tab-files-slice'
import type { DraftChange } from '../tabs/active-draft'
import type { ImportExportSlice } from '../sidebar/import-export-slice'
import type { TimelineViewSlice } from '../timeline/view-slice'
import type { ViewerSlice } from '../details/viewer-slice'
import type { HarSlice } from '../timeline/har-slice'
import type { AsyncSlice } from '../async/async-slice'
import type { RunnerSlice } from '../runner/runner-slice'
import type { FileAccessSlice } from '../files/file-access-slice'
import type { BodyCopySlice } from '../details/body-copy-slice'
import type { WorkspaceSlice } from '../tabs/workspace-slice'
import type { OAuth2TokenSlice } from '../composer/oauth2-token-slice'

/** The store is one zustand store made of slices, one file each; this file names their shapes. */

/**
 * The composer edits the active tab's draft (`tabs[i].draft`, read with `selectActiveDraft`): `editDraft` is
 * the one action that changes it, and the setters below are named uses of it. The Tests tab's edits are the
 * composer's too (`RunDraftActions`).
 */
export interface ComposerSlice extends RunDraftActions {
  /** Change the active tab's draft: the fields given, or those a function of the draft returns. */
  editDraft(change: DraftChange): void
  /** "Send ×N": how many copies the count button fires. */
  sendCount: number
  /** The last command error from `http.send`, shown plainly under the URL bar until the next send. */
  sendError: AppError | null
  /** What Send opens: an HTTP request, an SSE stream or a WebSocket. */
  setKind(kind: RequestKind): void
  setMethod(method: string): void
  /** Edit the URL: the params table follows. */
  setUrl(url: string): void
  /** Edit the params table: the URL follows. */
  setParams(params: KeyValue[]): void
  setHeaders(headers: KeyValue[]): void
  setBodyKind(kind: BodyKind): void
  setTextBody(patch: Partial<ComposerDraft['text']>): void
  setJsonBody(text: string): void
  setFormFields(fields: KeyValue[]): void
  setMultipartParts(parts: MultipartPart[]): void
  setFileBody(patch: Partial<ComposerDraft['file']>): void
  setOption<K extends keyof ComposerOptions>(key: K, value: ComposerOptions[K]): void
  setAuth(auth: AuthSpec): void
  /** The WebSocket subprotocols to offer. */
  setProtocols(protocols: string[]): void
  /** Turn SSE reconnect on or off for the active tab's request. */
  setSseReconnect(on: boolean): void
  setSendCount(n: number): void
  /**
   * The toolbar's Trace switch: sends that no `trace:` setting decides (an Untitled tab's, a saved request whose
   * collection says nothing) carry a W3C traceparent. Kept in the workspace.
   */
  traceSends: boolean
  setTraceSends(on: boolean): void
  /**
   * Open an http(s) link outside the app (`app.openExternal`: the desktop app's system browser): a trace viewer's
   * page, an OAuth 2.0 sign-in page. What went wrong, or null.
   */
  openExternalLink(url: string): Promise<string | null>
  /** Fire the composed request `count` times at once (default 1). */
  send(count?: number): Promise<void>
  /**
   * A pasted curl command becomes a request (method, URL, headers, body, auth): in the current tab, keeping its
   * run fields and After response, or in a new Untitled tab (Import → Paste with no collection folder). False
   * when the text is not a curl command the engine can read; the reason is shown where the paste was made
   * (`sendError` under the URL, or `importError` in the import panel).
   */
  pasteCurl(text: string, into?: 'current-tab' | 'new-tab'): Promise<boolean>
  /** Completions for a body file path being typed (relative to the tab's collection folder, else home). */
  completeFilePath(partial: string): Promise<string[]>
  /** The desktop app's file dialog; null when cancelled or when the host has none. */
  pickFile(): Promise<string | null>
}

export interface TimelineSlice {
  timeline: TimelineState
  /**
   * Apply one `timeline.batch`: exactly one store update, whatever its size. A timeline replay's page passes
   * its stream sessions' tallies (their message counts) with its events.
   */
  applyTimelineBatch(batch: TimelineBatch, tallies?: readonly StreamTally[]): void
  /**
   * A live `timeline.batch` from the engine: with the page's frame scheduler, held and applied once a frame (every
   * batch that came meanwhile in one store update; see timeline/batch-intake.ts), else applied at once.
   */
  receiveTimelineBatch(batch: TimelineBatch): void
  /** The "Clear" button: drop finished rows, keep what is still in flight and what is pinned. */
  clearFinished(): void
  /** How many times Clear was pressed (a replay still arriving after one must not bring cleared rows back). */
  timelineClears: number
  cancel(sid: string): Promise<void>
}

export type DetailsTab = 'overview' | 'headers' | 'cookies' | 'timing' | 'response' | 'scripts'

export interface SelectionSlice {
  selectedSid: string | null
  detailsTab: DetailsTab
  select(sid: string | null): void
  /** Arrow keys: move by `delta` rows in timeline order (clamped); selects the first row when none is. */
  moveSelection(delta: number): void
  selectEdge(edge: 'first' | 'last'): void
  /** Esc: cancel the selected request if it is still in flight. */
  cancelSelected(): Promise<void>
  /** A tab the person picks; remembered across reloads. */
  setDetailsTab(tab: DetailsTab): void
  /**
   * The row of a single send, shown on its Response tab (see `shownDetailsTab`); while it redirects, the
   * selection follows the chain to the final response (the hops stay on the timeline). Selecting another row
   * or picking a tab stops the following.
   */
  selectSent(sid: string): void
  /** The sid whose redirect chain the selection follows, if any. */
  followingSid: string | null
}

export interface BodyView {
  sid: string
  bodyId: string
  contentType: string
  total: number
  /** Body bytes covered by `text` (the next page is read from here). */
  loaded: number
  text: string
  /** The bytes are not text; nothing more is read or shown. */
  binary: boolean
  loading: boolean
  error: AppError | null
}

export interface BodySlice {
  /** The body of the selected row as far as it has been read; only one body is held at a time. */
  body: BodyView | null
  /** Read the first page of a finished row's body (no-op when already read or under way). */
  loadBody(sid: string): Promise<void>
  /** "Load more": read the next page. */
  loadMoreBody(): Promise<void>
}

export interface HostSlice {
  info: AppInfo | null
  clockSync: ClockSync | null
  /** Set when there is no host, or app.info failed: the toolbar shows it. */
  hostError: AppError | null
  /** Sessions the engine's timeline gave back at connect (after a reload: the rows are back); null until then. */
  replayedSessions: number | null
  /** Subscribe to the timeline, read app.info and ask for the timeline so far; returns the unsubscribe. */
  connect(): () => void
}

export type AppState = ComposerSlice &
  OAuth2TokenSlice &
  TimelineSlice &
  SelectionSlice &
  BodySlice &
  HostSlice &
  StreamLanesSlice &
  StreamOpenSlice &
  GrpcSlice &
  MessagingSlice &
  GraphqlSlice &
  MessageLogSlice &
  MessageDataSlice &
  WsSendSlice &
  AssembleSlice &
  TimelineViewSlice &
  ViewerSlice &
  HarSlice &
  CollectionsSlice &
  TabsSlice &
  TabFilesSlice &
  ImportExportSlice &
  AsyncSlice &
  RunnerSlice &
  FileAccessSlice &
  BodyCopySlice &
  WorkspaceSlice
