import './zod-jitless'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { createApiClient, disconnectedClient, hostApi } from './client/api-client'
import { createAppStore } from './store/app-store'
import { createLiveClock, driveLiveClock } from './store/live-clock'
import { StoresContext } from './store/store-context'
import { localEnvMemory } from './environments/env-memory'
import { autosaveWorkspace } from './tabs/workspace-slice'
import { browserFrameScheduler } from './timeline/batch-intake'
import './styles/theme.css'
import './styles/app.css'
import './styles/composer.css'
import './styles/timeline-toolbar.css'
import './styles/timeline-table.css'
import './styles/waterfall.css'
import './styles/details.css'
import './styles/response-viewer.css'
// Order matters where two of these style one element (the dialogs: environments, then dialogs, then save-as).
import './styles/sidebar.css'
import './styles/collection-tree.css'
import './styles/request-tabs.css'
import './styles/environments.css'
import './styles/auth.css'
import './styles/dialogs.css'
import './styles/import-export.css'
import './styles/quick-open.css'
import './styles/save-as.css'
import './async/async.css'
import './runner/runner.css'
import './files/files.css'

const api = hostApi()
const client = api ? createApiClient(api) : disconnectedClient()
const app = createAppStore(client, { envMemory: localEnvMemory(), frames: browserFrameScheduler() })
const clock = createLiveClock()

if (api) {
  app.getState().connect()
  app.getState().connectCollections()
  // The workspace comes back, then is saved as it changes, and once more as the page goes (reload, close).
  void app.getState().restoreWorkspace()
  const workspace = autosaveWorkspace(app, client)
  window.addEventListener('pagehide', () => void workspace.flush())
  window.addEventListener('beforeunload', () => void workspace.flush())
} else {
  app.setState({
    hostError: {
      code: 'internal',
      message: 'Not connected to a Flightdeck host: open this page through the app or `npm run web`.',
    },
  })
}
driveLiveClock(app, clock, {
  request: (cb) => requestAnimationFrame(cb),
  cancel: (handle) => cancelAnimationFrame(handle),
  localNow: () => performance.now(),
  timers: { after: (cb, ms) => window.setTimeout(cb, ms), cancel: (handle) => window.clearTimeout(handle) },
})

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <StoresContext.Provider value={{ app, clock }}>
      <App />
    </StoresContext.Provider>
  </StrictMode>,
)
