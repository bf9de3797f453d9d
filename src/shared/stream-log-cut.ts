import { formatBytes } from './format'
import { groupDigits } from './group-digits'

/**
 * Where a stream session's log stopped keeping messages, and why, in the words every host uses (the message
 * log, the session's summary, the CLI). A log that is cut stays cut: every later message is counted, not kept,
 * so what it holds is the stream up to the cut, with no holes.
 *
 *   entries — the session's own log reached its entry limit;
 *   index   — the entry indexes of all the engine's stream logs together reached their memory limit;
 *   bytes   — the messages all the engine's stream logs keep (in memory and in their temp files) reached theirs.
 */
export interface StreamLogCut {
  reason: 'entries' | 'index' | 'bytes'
  /** The limit that was reached: entries for `entries`, bytes for the others. */
  limit: number
  /** Entries the log kept: the cut is after entry `at - 1`. */
  at: number
}

/** "this session's log is full (20,000,000 messages)", "the logs of all stream sessions are full (512 MB of index)" */
export function streamLogCutReason(cut: StreamLogCut): string {
  if (cut.reason === 'entries') return `this session's log is full (${count(cut.limit)} messages)`
  const what = cut.reason === 'index' ? 'of index' : 'of messages'
  return `the logs of all stream sessions are full (${formatBytes(cut.limit)} ${what})`
}

/** "1,234,567 messages not kept: this session's log is full (20,000,000 messages)" */
export function streamLogCutText(dropped: number, cut: StreamLogCut | undefined): string {
  const head = `${count(dropped)} message${dropped === 1 ? '' : 's'} not kept`
  return cut ? `${head}: ${streamLogCutReason(cut)}` : `${head}: the session's log is full`
}

function count(n: number): string {
  return groupDigits(n)
}
