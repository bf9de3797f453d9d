import { describe, expect, it } from 'vitest'
import { LegacyWsProtocol, TransportWsProtocol } from '../../src/engine/graphql/ws-protocols'

/** The two GraphQL-over-WebSocket state machines, message by message: what they allow and what breaks them. */

describe('graphql-transport-ws', () => {
  it('init with params, ack, subscribe, next, complete; ping answered with pong', () => {
    const p = new TransportWsProtocol()
    expect(JSON.parse(p.init({ token: 't' }))).toEqual({ type: 'connection_init', payload: { token: 't' } })
    expect(p.receive('{"type":"connection_ack"}')).toMatchObject({ kind: 'ack' })
    expect(JSON.parse(p.subscribe('1', { query: '{ a }' }))).toEqual({
      id: '1',
      type: 'subscribe',
      payload: { query: '{ a }' },
    })
    expect(p.receive('{"type":"ping"}')).toEqual({
      kind: 'keepalive',
      type: 'ping',
      ping: true,
      reply: '{"type":"pong"}',
    })
    expect(p.receive('{"id":"1","type":"next","payload":{"data":{"a":1}}}')).toMatchObject({
      kind: 'next',
      id: '1',
    })
    expect(p.receive('{"id":"1","type":"complete"}')).toMatchObject({ kind: 'complete', id: '1' })
    // Completed: a late result for it is a violation.
    expect(p.receive('{"id":"1","type":"next","payload":{}}')).toMatchObject({ kind: 'violation' })
  })

  it('violations: not JSON, no type, unknown type, result before ack, unknown id, a second ack', () => {
    const fresh = (): TransportWsProtocol => new TransportWsProtocol()
    expect(fresh().receive('hello')).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(/not JSON/),
    })
    expect(fresh().receive('[1]')).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(/not a JSON object/),
    })
    expect(fresh().receive('{"id":"1"}')).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(/without a type/),
    })
    expect(fresh().receive('{"type":"data"}')).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(/"data", which graphql-transport-ws has no message for/),
    })
    expect(fresh().receive('{"id":"1","type":"next"}')).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(/before acknowledging/),
    })
    const p = fresh()
    p.receive('{"type":"connection_ack"}')
    p.subscribe('1', { query: '{ a }' })
    expect(p.receive('{"id":"2","type":"next"}')).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(/never started/),
    })
    expect(p.receive('{"type":"connection_ack"}')).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(/twice/),
    })
  })

  it('quotes at most 120 characters of a bad message', () => {
    const r = new TransportWsProtocol().receive('x'.repeat(10_000))
    expect(r.kind === 'violation' && r.message.length).toBeLessThan(200)
  })
})

describe('legacy graphql-ws', () => {
  it('start/data/complete, stop, ka before and after the ack, connection_error', () => {
    const p = new LegacyWsProtocol()
    expect(JSON.parse(p.init(undefined))).toEqual({ type: 'connection_init', payload: {} })
    expect(p.receive('{"type":"ka"}')).toMatchObject({ kind: 'keepalive', ping: true })
    expect(p.receive('{"type":"connection_ack"}')).toMatchObject({ kind: 'ack' })
    expect(JSON.parse(p.subscribe('1', { query: 'subscription { a }' }))).toMatchObject({
      id: '1',
      type: 'start',
    })
    expect(p.receive('{"id":"1","type":"data","payload":{"data":{"a":1}}}')).toMatchObject({ kind: 'next' })
    expect(JSON.parse(p.stop('1'))).toEqual({ id: '1', type: 'stop' })
    // A result in flight when the stop went out is stale, not a violation (a shared connection must survive it);
    // an id never started still is one.
    expect(p.receive('{"id":"1","type":"data","payload":{}}')).toMatchObject({ kind: 'stale', id: '1' })
    expect(p.receive('{"id":"9","type":"data","payload":{}}')).toMatchObject({ kind: 'violation' })
    expect(
      new LegacyWsProtocol().receive('{"type":"connection_error","payload":{"message":"no"}}'),
    ).toMatchObject({ kind: 'refused' })
    expect(new LegacyWsProtocol().receive('{"type":"next"}')).toMatchObject({ kind: 'violation' })
  })
})
