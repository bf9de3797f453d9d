import type { StateCreator } from 'zustand/vanilla'
import type { AppError, Result } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { readWholeMessage } from './message-data'

/** The full data of the message open in the message view (read from the engine by range). */
export interface MessageData {
  sid: string
  seq: number
  /** Where in the message the bytes read start. */
  offset: number
  /** base64 of the bytes read. */
  base64: string
  length: number
  total: number
  error: AppError | null
}

/** Bytes of one message the message view reads at a time (its hex view shows the first 4 KB of them). */
export const MESSAGE_VIEW_BYTES = 512 * 1024

/** The selected log entry's data, when the log window cut it: one window of it at a time, or all of it to save. */
export interface MessageDataSlice {
  messageData: MessageData | null
  /**
   * Read a window of the selected message's data (MESSAGE_VIEW_BYTES from `offset`, default its start) when the
   * log window cut it; the view says which part it shows and offers the next and previous windows.
   */
  loadMessageData(sid: string, seq: number, offset?: number): Promise<void>
  /** Every byte of a message, read by range (to save it whole). */
  readWholeMessage(sid: string, seq: number): Promise<Result<Uint8Array[]>>
}

export function createMessageDataSlice(client: ApiClient): StateCreator<AppState, [], [], MessageDataSlice> {
  return (set, get) => ({
    messageData: null,

    loadMessageData: async (sid, seq, offset = 0) => {
      const have = get().messageData
      if (have && have.sid === sid && have.seq === seq && have.offset === offset) return
      const res = await client.invoke('stream.data', {
        sid,
        seq,
        offset,
        length: MESSAGE_VIEW_BYTES,
        encoding: 'base64',
      })
      set({
        messageData: res.ok
          ? {
              sid,
              seq,
              offset,
              base64: res.value.data,
              length: res.value.length,
              total: res.value.total,
              error: null,
            }
          : { sid, seq, offset, base64: '', length: 0, total: 0, error: res.error },
      })
    },
    readWholeMessage: (sid, seq) => readWholeMessage(client, sid, seq),
  })
}
