import type { HarTimings, TimelineEvent } from '../../src/shared/timeline'

/** Realistic event sequences for one exchange, with times chosen so every phase has a distinct length. */

export function timings(partial: Partial<HarTimings> = {}): HarTimings {
  return { blocked: 1, dns: 2, connect: 10, ssl: 6, send: 1, wait: 50, receive: 20, time: 84, ...partial }
}

export function queued(
  sid: string,
  t: number,
  extra: Partial<Extract<TimelineEvent, { type: 'queued' }>> = {},
): TimelineEvent {
  return {
    type: 'queued',
    sid,
    t,
    kind: 'http',
    wall: 1_700_000_000_000 + t,
    method: 'GET',
    url: 'https://api.test/items',
    hop: 0,
    ...extra,
  }
}

/**
 * A fresh HTTPS exchange queued at t0: blocked 1, dns 2, connect 4, tls 6, send 1, wait 50, receive 20 ms.
 * Returns events in emission order.
 */
export function freshHttpsExchange(sid: string, t0: number): TimelineEvent[] {
  return [
    queued(sid, t0),
    { type: 'dns', sid, t: t0 + 3, start: t0 + 1, host: 'api.test', address: '127.0.0.1', family: 4 },
    { type: 'connect', sid, t: t0 + 7, start: t0 + 3, remoteAddress: '127.0.0.1', remotePort: 443 },
    {
      type: 'tls',
      sid,
      t: t0 + 13,
      start: t0 + 7,
      version: 'TLSv1.3',
      cipher: 'TLS_AES_128_GCM_SHA256',
      alpn: 'h2',
      authorized: true,
    },
    {
      type: 'request-sent',
      sid,
      t: t0 + 14,
      start: t0 + 13,
      reused: false,
      connectionId: 1,
      protocol: 'h2',
      remoteAddress: '127.0.0.1',
      remotePort: 443,
      headers: [['accept', '*/*']],
      headersBytes: 40,
      bodyBytes: 0,
    },
    {
      type: 'response-headers',
      sid,
      t: t0 + 64,
      status: 200,
      statusText: 'OK',
      httpVersion: '2',
      headers: [['content-type', 'application/json']],
      headersBytes: 60,
    },
    { type: 'body-progress', sid, t: t0 + 74, wireBytes: 500, bodyBytes: 1000 },
    {
      type: 'done',
      sid,
      t: t0 + 84,
      status: 200,
      wireBytes: 1000,
      bodyBytes: 2000,
      body: { id: `b-${sid}`, size: 2000, contentType: 'application/json', onDisk: false },
      timings: timings({ blocked: 1, dns: 2, connect: 10, ssl: 6, send: 1, wait: 50, receive: 20, time: 84 }),
    },
  ]
}

/** An exchange on a reused keep-alive connection: no dns, connect or tls. */
export function reusedExchange(sid: string, t0: number): TimelineEvent[] {
  return [
    queued(sid, t0, { url: 'http://api.test/again' }),
    {
      type: 'request-sent',
      sid,
      t: t0 + 3,
      start: t0 + 2,
      reused: true,
      connectionId: 1,
      protocol: 'http/1.1',
      remoteAddress: '127.0.0.1',
      remotePort: 80,
      headers: [],
      headersBytes: 30,
      bodyBytes: 0,
    },
    {
      type: 'response-headers',
      sid,
      t: t0 + 30,
      status: 204,
      statusText: 'No Content',
      httpVersion: '1.1',
      headers: [],
      headersBytes: 20,
    },
    {
      type: 'done',
      sid,
      t: t0 + 31,
      status: 204,
      wireBytes: 20,
      bodyBytes: 0,
      body: { id: `b-${sid}`, size: 0, contentType: '', onDisk: false },
      timings: timings({
        blocked: 2,
        dns: -1,
        connect: -1,
        ssl: -1,
        send: 1,
        wait: 27,
        receive: 1,
        time: 31,
      }),
    },
  ]
}
