import type { StateCreator } from 'zustand/vanilla'
import type { Result } from '../../shared/result'
import { MAX_REPLAY_PAGE, type TimelineReplayPage } from '../../shared/workspace-schemas'
import type { ApiClient } from '../client/api-client'
import { MAX_TIMELINE_ROWS } from '../timeline/apply-batch'
import { syncFromInfo } from '../timeline/engine-clock'
import type { StreamTally } from '../../shared/stream-tally'
import { lanesToRestore, readOldTicks, withOldTicks } from '../streams/lane-restore'
import type { AppState, HostSlice } from './app-state'

/**
 * Pages a replay may take: a page holds at least one session (usually MAX_REPLAY_PAGE; fewer when their headers
 * are large) and the engine keeps as many sessions as the timeline's rows.
 */
const MAX_REPLAY_PAGES = MAX_TIMELINE_ROWS + 1

export function createHostSlice(
  client: ApiClient,
  localNow: () => number,
): StateCreator<AppState, [], [], HostSlice> {
  return (set, get) => {
    /**
     * The timeline lives in the engine: a page that reloads asks for it back, page by page, each page one store
     * update. Live batches keep being applied meanwhile; a session in both is applied twice, which changes
     * nothing (a known row ignores its `queued` again, a finished one every later event; a stream's lane counts
     * each message once, by its ordinal, and takes the counts from before it connected from the page's tally).
     */
    const replayTimeline = async (): Promise<{ sessions: number; tallies: StreamTally[] }> => {
      let sessions = 0
      let from: number | null = 0
      const clearsAtStart = get().timelineClears
      const tallies: StreamTally[] = []
      for (let page = 0; page < MAX_REPLAY_PAGES && from !== null; page++) {
        const res: Result<TimelineReplayPage> = await client.invoke('timeline.replay', {
          from,
          limit: MAX_REPLAY_PAGE,
        })
        if (!res.ok) break
        sessions += res.value.sessions
        if (res.value.events.length > 0)
          get().applyTimelineBatch({ events: res.value.events, dropped: 0 }, res.value.tallies)
        if (res.value.tallies) tallies.push(...res.value.tallies)
        // Clear pressed while the replay was still coming: the finished rows of later pages were finished when
        // Clear was pressed too (a replay shows the past), so they go the same way instead of coming back.
        if (get().timelineClears !== clearsAtStart && res.value.events.length > 0) get().clearFinished()
        from = res.value.next
      }
      return { sessions, tallies }
    }
    /** The replayed stream lanes draw their ticks from before the reload again, read from their logs. */
    const restoreLanes = async (tallies: readonly StreamTally[]): Promise<void> => {
      const read = (sid: string, from: number, count: number) =>
        client.invoke('stream.read', { sid, from, count, maxData: 16 })
      for (const lane of lanesToRestore(get().streamLanes, tallies)) {
        const old = await readOldTicks(read, lane.sid, lane.lastSeq, lane.before)
        const now = get().streamLanes[lane.sid]
        if (!old || !now) continue
        set({ streamLanes: { ...get().streamLanes, [lane.sid]: withOldTicks(now, old) } })
      }
    }
    return {
      info: null,
      clockSync: null,
      hostError: null,
      replayedSessions: null,
      connect: () => {
        const offBatches = client.on('timeline.batch', (batch) => get().receiveTimelineBatch(batch))
        const offRuns = client.on('run.progress', (p) => get().applyRunProgress(p))
        const off = (): void => {
          offBatches()
          offRuns()
        }
        const sent = localNow()
        void client.invoke('app.info', {}).then((res) => {
          if (!res.ok) {
            set({ hostError: res.error })
            return
          }
          set({ info: res.value, clockSync: syncFromInfo(res.value.now, sent, localNow()), hostError: null })
        })
        void replayTimeline().then(({ sessions, tallies }) => {
          set({ replayedSessions: sessions })
          // The rows are back; their lanes' ticks from before follow, read from the logs.
          void restoreLanes(tallies)
        })
        return off
      },
    }
  }
}
