import type { CommandService } from '../engine/service-types'
import { streamLogCutText } from '../shared/stream-log-cut'

/**
 * A stream command's last word when its session's log was cut: on stderr, in the words the app uses ("1,234
 * messages not kept: this session's log is full (20,000,000 messages)"). The messages past the cut were still
 * printed, from their timeline events' previews; the person learns that their whole data was not kept.
 */
export function reportLogCut(
  service: Pick<CommandService, 'streamLog'>,
  sid: string,
  err: (text: string) => void,
): void {
  const fields = service.streamLog(sid)?.cutFields()
  if (fields && fields.dropped > 0) err(`flightdeck: ${streamLogCutText(fields.dropped, fields.cut)}\n`)
}
