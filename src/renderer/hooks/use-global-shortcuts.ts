import { useEffect } from 'react'
import { RUNNER_LABEL } from '../runner/RunnerReturn'
import { useAppStoreApi } from '../store/store-context'
import { isInFlight, jobRunning } from '../timeline/session-row'

/**
 * Keys that work anywhere in the window: Ctrl/Cmd+Enter sends the composed request once; Esc cancels the
 * selected request while it is in flight; on a finished exchange a runner row opened, Esc goes back to the runner
 * (as Close and Esc there stepped aside from it). (Arrow keys belong to the timeline grid, which handles them.)
 */
export function useGlobalShortcuts(): void {
  const store = useAppStoreApi()
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented) return
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
        e.preventDefault()
        void store.getState().send(1)
        return
      }
      if (e.key === 'Escape' && !e.ctrlKey && !e.metaKey && !e.altKey) {
        const s = store.getState()
        const row = s.selectedSid === null ? undefined : s.timeline.rows[s.selectedSid]
        const live = row !== undefined && (isInFlight(row) || jobRunning(row))
        if (!live && !s.runnerOpen && s.runExchangeSid !== null && s.runExchangeSid === s.selectedSid) {
          e.preventDefault()
          s.reopenRunner()
          // The runner takes the keys again (its own Esc steps aside once more).
          requestAnimationFrame(() =>
            document.querySelector<HTMLElement>(`section[aria-label="${RUNNER_LABEL}"]`)?.focus(),
          )
          return
        }
        void s.cancelSelected()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store])
}
