import { formatBytes } from '../../shared/format'
import type { RequestSentEvent } from '../../shared/timeline'

/**
 * The Overview's request size. Over HTTP/2 the header figure is the `name: value` text of the headers sent, not
 * the bytes that went: HPACK compresses them on the wire, and Node's HTTP/2 client tells no frame's size (the
 * socket's bytes around one request hold other streams' frames too), so it is named as text.
 */
export function requestSizeText(
  sent: Pick<RequestSentEvent, 'protocol' | 'headersBytes' | 'bodyBytes'>,
): string {
  const headers =
    sent.protocol === 'h2'
      ? `${formatBytes(sent.headersBytes)} header text (sent HPACK-compressed)`
      : `${formatBytes(sent.headersBytes)} headers`
  return `${headers} · ${formatBytes(sent.bodyBytes)} body`
}
