import { useMemo, useRef } from 'react'
import { useScrollCue } from '../hooks/use-scroll-cue'
import '../styles/scroll-cue.css'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { KeyValueTable } from './KeyValueTable'
import { DefaultHeadersNote } from './DefaultHeadersNote'
import { OptionsPanel } from './OptionsPanel'
import { RequestLine } from './RequestLine'
import { SendError } from './SendError'
import { StreamComposeBar } from '../streams/StreamCompose'
import { AuthPanel } from './AuthPanel'
import { VariableHints } from './VariableHints'
import { AfterResponsePanel } from '../async/AfterResponsePanel'
import { scriptsBadge } from '../scripts/script-draft'
import { MessagingPanel } from '../mqtt/MessagingPanels'
import { isMessagingOwn, messagingTabs, type MessagingTab } from '../mqtt/messaging-tabs'
import { selectActiveTab } from '../tabs/active-draft'
// Loaded on first use: the editors, GraphQL and gRPC are not needed for the first paint.
import {
  BodyEditor,
  GraphqlComposer,
  GrpcComposer,
  GrpcMessagePanel,
  ScriptsPanel,
  TestsPanel,
} from '../lazy/lazy-panes'

type ComposerTab =
  'query' | 'params' | 'headers' | 'body' | 'auth' | 'options' | 'tests' | 'scripts' | 'after' | MessagingTab

/** The request composer: request line on top, then params / headers / body / auth / options / tests. */
export function Composer() {
  // Unchosen: the mode's first tab (an MQTT or Socket.IO request opens on its Connection). Chosen per request
  // tab, as other API clients do: a new tab opens on its first part, not on the one the last tab was left at.
  const tab = useAppStore((s) => (s.composerParts[s.activeTabId] as ComposerTab | undefined) ?? null)
  const setTab = useAppStore((s) => s.chooseComposerPart)
  const paramCount = useActiveDraft((d) => d.params.filter((p) => p.enabled && p.name !== '').length)
  const headerCount = useActiveDraft((d) => d.headers.filter((h) => h.enabled && h.name !== '').length)
  const bodyKind = useActiveDraft((d) => d.bodyKind)
  const authType = useActiveDraft((d) => d.auth.type)
  const afterMode = useActiveDraft((d) => d.after.mode)
  const assertionCount = useActiveDraft((d) => d.run.assertions.length)
  const mode = useActiveDraft((d) => d.kind)
  const scripts = useActiveDraft((d) => scriptsBadge(d.scripts))
  const extras = useAppStore((s) => selectActiveTab(s)?.extras)
  const messaging = mode === 'mqtt' || mode === 'socketio'

  const all: { id: ComposerTab; label: string; badge?: string }[] = [
    { id: 'params', label: 'Params', ...(paramCount > 0 ? { badge: String(paramCount) } : {}) },
    {
      id: 'headers',
      label: mode === 'grpc' ? 'Metadata' : 'Headers',
      ...(headerCount > 0 ? { badge: String(headerCount) } : {}),
    },
    mode === 'grpc'
      ? { id: 'body', label: 'Message' }
      : { id: 'body', label: 'Body', ...(bodyKind !== 'none' ? { badge: bodyKind } : {}) },
    { id: 'auth', label: 'Auth', ...(authType !== 'inherit' ? { badge: authType } : {}) },
    { id: 'options', label: 'Options' },
    { id: 'tests', label: 'Tests', ...(assertionCount > 0 ? { badge: String(assertionCount) } : {}) },
    { id: 'scripts', label: 'Scripts', ...(scripts !== '' ? { badge: scripts } : {}) },
    {
      id: 'after',
      label: 'After response',
      ...(afterMode !== 'none' ? { badge: afterMode === 'follow' ? 'follow job' : 'long poll' } : {}),
    },
  ]
  // Only what applies: a WebSocket upgrade has no body; After response (jobs, long polls) and Scripts are for HTTP.
  const tabs = all.filter(
    (t) =>
      !(t.id === 'body' && mode === 'ws') &&
      !((t.id === 'after' || t.id === 'scripts') && mode !== 'http') &&
      // gRPC: the target, method and TLS are in its own bar; its message is the first tab.
      !(mode === 'grpc' && t.id !== 'headers' && t.id !== 'auth' && t.id !== 'tests' && t.id !== 'body'),
  )
  if (mode === 'grpc') tabs.sort((a, b) => Number(b.id === 'body') - Number(a.id === 'body'))
  // GraphQL: the document and its variables (the Query tab, first, as in Postman) stand in for the params and
  // the body; its Headers, Auth and Options sit in the same row of tabs, in sight in a short composer.
  const shownTabs: { id: ComposerTab; label: string; badge?: string }[] = messaging
    ? messagingTabs(mode, tabs, extras)
    : mode === 'graphql'
      ? [
          { id: 'query', label: 'Query' },
          ...tabs.filter((t) => t.id === 'headers' || t.id === 'auth' || t.id === 'options'),
        ]
      : tabs
  const shown = tab && shownTabs.some((t) => t.id === tab) ? tab : (shownTabs[0]?.id ?? 'params')

  const panel = useRef<HTMLDivElement>(null)
  const whole = useRef<HTMLElement>(null)
  const cue = useRef<HTMLDivElement>(null)
  const scrollers = useMemo(() => [panel, whole], [])
  // Both scroll: the panel under its heads, and the whole composer when the heads (a send's error, the variable
  // hints) leave the panel less than its least height. Their words go on one line under the composer, off the
  // rows of either (under the panel, where the composer does not scroll).
  useScrollCue(scrollers, cue)
  return (
    <>
      <section className="composer" aria-label="Request" ref={whole} data-cue="strip">
        <RequestLine />
        <SendError />
        <StreamComposeBar />
        <VariableHints />
        {mode === 'grpc' ? <GrpcComposer /> : null}
        <div className="tabs" role="tablist" aria-label="Request parts">
          {shownTabs.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`composer-tab-${t.id}`}
              aria-selected={shown === t.id}
              aria-controls={`composer-panel-${t.id}`}
              className={shown === t.id ? 'tab active' : 'tab'}
              onClick={() => {
                setTab(t.id)
                // In a short composer the panel can sit below its heads: show the part just picked.
                requestAnimationFrame(() => panel.current?.scrollIntoView({ block: 'nearest' }))
              }}
            >
              {t.label}
              {t.badge ? <span className="tab-badge">{t.badge}</span> : null}
            </button>
          ))}
        </div>
        <div
          ref={panel}
          className={`composer-panel${shown === 'query' ? ' graphql-panel' : shown === 'scripts' ? ' scripts-host' : ''}`}
          role="tabpanel"
          id={`composer-panel-${shown}`}
          aria-labelledby={`composer-tab-${shown}`}
          data-cue="strip"
        >
          {shown === 'query' && mode === 'graphql' ? <GraphqlComposer /> : null}
          {shown === 'params' ? <ParamsTable /> : null}
          {shown === 'headers' ? <HeadersTable /> : null}
          {shown === 'body' ? mode === 'grpc' ? <GrpcMessagePanel /> : <BodyEditor /> : null}
          {shown === 'auth' && !messaging ? <AuthPanel /> : null}
          {messaging && isMessagingOwn(shown) ? <MessagingPanel tab={shown} mode={mode} /> : null}
          {shown === 'options' ? <OptionsPanel /> : null}
          {shown === 'tests' ? <TestsPanel /> : null}
          {shown === 'scripts' ? <ScriptsPanel /> : null}
          {shown === 'after' ? <AfterResponsePanel /> : null}
        </div>
      </section>
      <div className="scroll-cue-strip" ref={cue} hidden aria-hidden="true">
        more below ↓
      </div>
    </>
  )
}

function ParamsTable() {
  const params = useActiveDraft((d) => d.params)
  const setParams = useAppStore((s) => s.setParams)
  return (
    <KeyValueTable
      label="Query parameters"
      rows={params}
      onChange={setParams}
      hint="or type them in the URL: ?name=value"
    />
  )
}

function HeadersTable() {
  const headers = useActiveDraft((d) => d.headers)
  const setHeaders = useAppStore((s) => s.setHeaders)
  return (
    <>
      <KeyValueTable label="Headers" rows={headers} onChange={setHeaders} namePlaceholder="Header-Name" />
      <DefaultHeadersNote />
    </>
  )
}
