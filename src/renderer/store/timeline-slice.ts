import type { StateCreator } from 'zustand/vanilla'
import { MAX_FORGET } from '../../shared/workspace-schemas'
import type { ApiClient } from '../client/api-client'
import { applyBatch, clearFinished, EMPTY_TIMELINE, trimOldest } from '../timeline/apply-batch'
import { createBatchIntake, type FrameScheduler } from '../timeline/batch-intake'
import { applyLaneBatch, pruneLanes } from '../streams/lane-ticks'
import { harFilesOnTimeline } from '../timeline/har-slice'
import type { TimelineBatch } from '../../shared/contract'
import type { StreamTally } from '../../shared/stream-tally'
import type { AppState, TimelineSlice } from './app-state'

/**
 * `frames` paces live batches (see batch-intake.ts): the app's page passes one; without it each live batch is
 * applied as it arrives.
 */
export function createTimelineSlice(
  client: ApiClient,
  frames: FrameScheduler | null = null,
): StateCreator<AppState, [], [], TimelineSlice> {
  return (set, get) => {
    const apply = (batch: TimelineBatch, tallies?: readonly StreamTally[]): void => {
      const before = get().timeline
      // In place: the store keeps only its newest timeline, so the batch need not copy every row's entry.
      const applied = applyBatch(before, batch, { inPlace: true })
      // A long session (hundreds of thousands of requests) keeps the newest rows, so memory stays flat.
      const timeline = trimOldest(applied, get().pinned)
      // Stream sessions' lanes (ticks per message) change in the same store update.
      const lanesBefore = get().streamLanes
      let streamLanes = applyLaneBatch(lanesBefore, batch, tallies)
      if (timeline !== applied) {
        streamLanes = pruneLanes(streamLanes, (sid) => timeline.rows[sid] !== undefined)
        const s = get()
        const compareSids = s.compareSids.filter((sid) => timeline.rows[sid] !== undefined)
        const keepSelected = s.selectedSid === null || timeline.rows[s.selectedSid] !== undefined
        set({
          timeline,
          streamLanes,
          compareSids,
          harFilesToChoose: harFilesOnTimeline(s.harFilesToChoose, timeline.rows),
          ...(keepSelected ? {} : { selectedSid: null, body: null }),
        })
        return
      }
      if (timeline !== before || streamLanes !== lanesBefore) set({ timeline, streamLanes })
    }
    const intake = createBatchIntake(apply, frames)
    return {
      timeline: EMPTY_TIMELINE,
      receiveTimelineBatch: (batch) => intake.receive(batch),
      applyTimelineBatch: (batch, tallies) => {
        // What arrived live before it goes first: the timeline takes events in the order they came.
        intake.drain()
        apply(batch, tallies)
      },
      timelineClears: 0,
      clearFinished: () => {
        // Rows held for the next frame are cleared with the rest, as they would have been a frame later.
        intake.drain()
        const before = get().timeline
        set((s) => ({ timelineClears: s.timelineClears + 1 }))
        set((s) => {
          const timeline = clearFinished(s.timeline, s.pinned)
          if (timeline === s.timeline) return {}
          const compareSids = s.compareSids.filter((sid) => timeline.rows[sid] !== undefined)
          // Cleared stream sessions take their lanes' ticks with them.
          const streamLanes = pruneLanes(s.streamLanes, (sid) => timeline.rows[sid] !== undefined)
          const harFilesToChoose = harFilesOnTimeline(s.harFilesToChoose, timeline.rows)
          const keep = s.selectedSid !== null && timeline.rows[s.selectedSid] !== undefined
          return keep
            ? { timeline, compareSids, streamLanes, harFilesToChoose }
            : { timeline, compareSids, streamLanes, harFilesToChoose, selectedSid: null, body: null }
        })
        // The engine keeps the timeline for a reload: what was cleared should not come back with it.
        const after = get().timeline.rows
        const gone = Object.keys(before.rows).filter((sid) => after[sid] === undefined)
        for (let i = 0; i < gone.length; i += MAX_FORGET)
          void client.invoke('timeline.forget', { sids: gone.slice(i, i + MAX_FORGET) })
      },
      cancel: async (sid) => {
        // The outcome arrives on the timeline as a `cancelled` event; a failed command is not worth a dialog.
        await client.invoke('session.cancel', { sid })
      },
    }
  }
}
