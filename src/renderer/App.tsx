import { Splitter } from './app/Splitter'
import { Toolbar } from './app/Toolbar'
import { Composer } from './composer/Composer'
import { DetailsPane } from './details/DetailsPane'
import { StreamDetailsSwitch } from './streams/StreamDetails'
import { useGlobalShortcuts } from './hooks/use-global-shortcuts'
import { usePaneSize } from './hooks/use-pane-size'
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
import { useCallback, useState } from 'react'

/** Toolbar; composer on top; timeline with the details pane on its right. Pane sizes are remembered. */
export function App() {
  useGlobalShortcuts()
  const [quickOpen, setQuickOpen] = useState(false)
  useSaveShortcut(useCallback(() => setQuickOpen(true), []))
  usePasteRequest()
  const [sidebarWidth, setSidebarWidth] = usePaneSize('sidebar', 260, 180, 520)
  const [composerHeight, setComposerHeight] = usePaneSize('composer', 210, 120, 640)
  const [detailsWidth, setDetailsWidth] = usePaneSize('details', 440, 280, 1000)
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
          <div className="composer-wrap" style={{ height: composerHeight }}>
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
          <div className="workspace">
            <Timeline />
            <Splitter
              direction="column"
              label="Resize details"
              size={detailsWidth}
              min={280}
              max={1000}
              sign={-1}
              onResize={setDetailsWidth}
            />
            <div className="details-wrap" style={{ width: detailsWidth }}>
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
