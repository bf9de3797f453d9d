import { Splitter } from './app/Splitter'
import { Toolbar } from './app/Toolbar'
import { Composer } from './composer/Composer'
import { DetailsPane } from './details/DetailsPane'
import { StreamDetailsSwitch } from './streams/StreamDetails'
import { useGlobalShortcuts } from './hooks/use-global-shortcuts'
import { usePaneSize } from './hooks/use-pane-size'
import {
  COMPOSER_FLOOR,
  composerDefault,
  compactHeight,
  holdsMoreThanFloor,
  showsTallAuth,
  showsTallTests,
  useWindowSize,
} from './hooks/use-composer-default'
import { scriptsComposerHeight } from './scripts/scripts-room'
import { Timeline } from './timeline/Timeline'
import { Sidebar } from './sidebar/Sidebar'
import { RequestTabs } from './tabs/RequestTabs'
import { useSaveShortcut } from './tabs/use-save-shortcut'
import { usePasteRequest } from './composer/use-paste-request'
import { RunnerPanel } from './runner/RunnerPanel'
import { useAppStore } from './store/store-context'
import { QuickOpen } from './sidebar/QuickOpen'
import { SaveAsDialog } from './tabs/SaveAsDialog'
import { LastSessionOffer } from './tabs/LastSessionOffer'
import { useActiveDraft } from './tabs/use-active-draft'
import { useCallback, useState } from 'react'

/** A GraphQL composer's height until the person drags it: 48% of the window, from the floor to 360 px. */
function graphqlComposerDefault(windowHeight: number): number {
  return Math.round(Math.max(COMPOSER_FLOOR, Math.min(360, windowHeight * 0.48)))
}

/**
 * The details pane's height below the timeline: the size the person set; until they set one, at least the
 * default and whatever the timeline's rows leave (its `--tl-wanted`, use-wanted-height.ts), so a few rows do not
 * sit above a screen of empty ones while the response is cut short. The splitter starts from the drawn height.
 */
function belowHeight(height: number, sized: boolean): number | string {
  return sized ? height : `max(${height}px, calc(100% - var(--tl-wanted, 0px) - 1px))`
}

/**
 * Toolbar; composer on top; the timeline with the details pane below it, on its right or hidden (the timeline
 * toolbar's choice). Pane sizes and the placement are remembered.
 */
export function App() {
  useGlobalShortcuts()
  const [quickOpen, setQuickOpen] = useState(false)
  useSaveShortcut(useCallback(() => setQuickOpen(true), []))
  usePasteRequest()
  const [sidebarWidth, setSidebarWidth] = usePaneSize('sidebar', 260, 180, 520)
  // A GraphQL request keeps a composer height of its own (remembered apart from HTTP's once dragged).
  const graphql = useActiveDraft((d) => d.kind === 'graphql')
  // Every other kind shares one height. Until the person drags it, an HTTP or SSE request that holds a body (or
  // more params or headers than the floor shows) is sized from the window (use-composer-default); a plain GET
  // showing its Params or Headers is compact (a blank row, room for two), and so is a WebSocket's or an SSE
  // stream's (with its options bar), and an MQTT or Socket.IO request's Connection; an OAuth 2.0 form, and a Tests tab
  // of more than three assertions, are sized from the window as a body is; a gRPC session, or another part, keeps the floor. An HTTP request's Scripts tab
  // opens tall enough for its scripts' lines, within the window's room (scripts-room.ts).
  const { width: windowWidth, height: windowHeight } = useWindowSize()
  const bodyFirst = useActiveDraft((d) => (d.kind === 'http' || d.kind === 'sse') && holdsMoreThanFloor(d))
  const part = useAppStore((s) => s.composerParts[s.activeTabId])
  const compact = useActiveDraft((d) => compactHeight(d, part))
  const tallPart = useActiveDraft((d) => showsTallAuth(d, part) || showsTallTests(d, part))
  const [httpSized, setHttpHeight, httpChosen] = usePaneSize('composer', COMPOSER_FLOOR, 120, 640)
  const windowSized = bodyFirst || tallPart
  const scriptsWanted = useActiveDraft((d) =>
    part === 'scripts' && d.kind === 'http'
      ? scriptsComposerHeight(d.scripts, windowWidth - sidebarWidth)
      : null,
  )
  const unscripted = windowSized ? composerDefault(windowHeight, 640) : (compact ?? COMPOSER_FLOOR)
  const httpHeight = httpChosen
    ? httpSized
    : scriptsWanted !== null
      ? Math.max(unscripted, Math.min(scriptsWanted, composerDefault(windowHeight, 640)))
      : unscripted
  // A compact composer takes its content's height from its least: a send's error does not push its table out
  // of sight, and an MQTT or Socket.IO request's fields leave no blank band (up to the floor, where it scrolls).
  const messaging = useActiveDraft((d) => d.kind === 'mqtt' || d.kind === 'socketio')
  const fitted = !httpChosen && !graphql && !windowSized && compact !== null
  const composerStyle = fitted
    ? { minHeight: compact, maxHeight: messaging ? COMPOSER_FLOOR : composerDefault(windowHeight, 640) }
    : null
  // A GraphQL query and its variables follow the window, remembered apart once dragged: a typical query (a dozen
  // lines) and its variables stay in sight, so it takes 48% of the window (360 px at 900, 336 at 700, where
  // the timeline keeps two rows' room below it: the query is what the person is looking at).
  const [graphqlSized, setGraphqlHeight, graphqlChosen] = usePaneSize(
    'composer-graphql',
    COMPOSER_FLOOR,
    120,
    640,
  )
  const graphqlHeight = graphqlChosen ? graphqlSized : graphqlComposerDefault(windowHeight)
  const [composerHeight, setComposerHeight] = graphql
    ? [graphqlHeight, setGraphqlHeight]
    : [httpHeight, setHttpHeight]
  const [detailsWidth, setDetailsWidth] = usePaneSize('details', 440, 280, 1000)
  const [detailsHeight, setDetailsHeight, detailsSized] = usePaneSize('details-below', 240, 140, 900)
  const placement = useAppStore((s) => s.detailsPlacement)
  const runnerOpen = useAppStore((s) => s.runnerOpen)
  const saveAsTab = useAppStore((s) => s.saveAs?.tabId ?? null)

  return (
    <div className="app">
      <Toolbar />
      <div className="app-body">
        <div className="sidebar-wrap" style={{ width: sidebarWidth }}>
          <Sidebar />
        </div>
        <Splitter
          direction="column"
          label="Resize collections"
          size={sidebarWidth}
          min={180}
          max={520}
          sign={1}
          onResize={setSidebarWidth}
        />
        <div className="app-main">
          <RequestTabs />
          <LastSessionOffer />
          <div className="composer-wrap" style={composerStyle ?? { height: composerHeight }}>
            <Composer />
          </div>
          <Splitter
            direction="row"
            label="Resize composer"
            size={composerHeight}
            min={120}
            max={640}
            sign={1}
            onResize={setComposerHeight}
          />
          <div className={`workspace details-${placement}`}>
            <Timeline />
            {placement === 'hidden' ? null : placement === 'right' ? (
              <Splitter
                direction="column"
                label="Resize details"
                size={detailsWidth}
                min={280}
                max={1000}
                sign={-1}
                onResize={setDetailsWidth}
              />
            ) : (
              <Splitter
                direction="row"
                label="Resize details"
                size={detailsHeight}
                min={140}
                max={900}
                sign={-1}
                onResize={setDetailsHeight}
              />
            )}
            {/* Hidden, not unmounted: the pane keeps its tab, scroll and drafts for when it comes back. */}
            <div
              className="details-wrap"
              hidden={placement === 'hidden'}
              style={
                placement === 'right'
                  ? { width: detailsWidth }
                  : { height: belowHeight(detailsHeight, detailsSized) }
              }
            >
              {runnerOpen ? <RunnerPanel /> : null}
              <div className="details-slot" hidden={runnerOpen}>
                <StreamDetailsSwitch>
                  <DetailsPane />
                </StreamDetailsSwitch>
              </div>
            </div>
          </div>
        </div>
      </div>
      {quickOpen ? <QuickOpen onClose={() => setQuickOpen(false)} /> : null}
      {saveAsTab !== null ? <SaveAsDialog key={saveAsTab} /> : null}
    </div>
  )
}
