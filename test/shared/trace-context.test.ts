import { describe, expect, it } from 'vitest'
import {
  asTraceId,
  effectiveTrace,
  externalUrlProblem,
  parseTraceparent,
  traceLink,
  traceLinkProblem,
  traceOfHeaders,
  traceSettingSchema,
  tracestateProblem,
} from '../../src/shared/trace-context'
import { withTraceHeaders } from '../../src/engine/trace/trace-headers'
import { newSpanId, newTraceId } from '../../src/engine/trace/trace-ids'

const GOOD = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

describe('traceparent parsing', () => {
  it('reads the example from the spec', () => {
    expect(parseTraceparent(GOOD)).toEqual({
      ok: true,
      value: {
        version: '00',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        parentId: '00f067aa0ba902b7',
        flags: '01',
      },
    })
  })

  it.each([
    ['upper-case hex', GOOD.toUpperCase(), 'lower-case'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'all zeros'],
    ['an all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', 'all zeros'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'ff is invalid'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01', 'trace id'],
    ['an extra field on version 00', `${GOOD}-extra`, 'four fields'],
    ['three fields', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7', 'version-traceid'],
    ['plain text', 'hello', 'version-traceid'],
  ])('refuses %s, saying why', (_what, value, reason) => {
    const r = parseTraceparent(value)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toContain(reason)
  })

  it('reads a later version, ignoring fields after the flags', () => {
    const r = parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-whatever')
    expect(r.ok && r.value.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
  })

  it('a malformed user header is noted and names no trace; two headers are noted too', () => {
    const bad = traceOfHeaders([['TraceParent', 'not-a-trace']])
    expect(bad).toMatchObject({ note: expect.stringContaining('sent as written') })
    expect(
      traceOfHeaders([
        ['traceparent', GOOD],
        ['traceparent', GOOD],
      ]),
    ).toMatchObject({
      note: expect.stringContaining('2 traceparent headers'),
    })
    expect(traceOfHeaders([['traceparent', GOOD]])).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    })
    expect(traceOfHeaders([['accept', '*/*']])).toBeNull()
  })
})

describe('ids and headers', () => {
  it('draws well-formed ids, never all zeros, each different', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const t = newTraceId()
      const s = newSpanId()
      expect(t).toMatch(/^[0-9a-f]{32}$/)
      expect(s).toMatch(/^[0-9a-f]{16}$/)
      expect(parseTraceparent(`00-${t}-${s}-01`).ok).toBe(true)
      ids.add(t)
    }
    expect(ids.size).toBe(200)
  })

  it('adds traceparent (flags 01) and the configured tracestate; a user header wins, with its own tracestate', () => {
    const added = withTraceHeaders([['accept', '*/*']], { tracestate: 'vendor=abc' })
    expect(added.find(([k]) => k === 'traceparent')?.[1]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(added).toContainEqual(['tracestate', 'vendor=abc'])
    const shared = withTraceHeaders([], { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' })
    expect(shared[0]?.[1]).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/)
    const own: [string, string][] = [
      ['Traceparent', GOOD],
      ['tracestate', 'mine=1'],
    ]
    expect(withTraceHeaders(own, { tracestate: 'vendor=abc' })).toEqual(own)
  })
})

describe('settings', () => {
  it('the nearest setting that is not inherit wins', () => {
    expect(effectiveTrace([{ mode: 'per-send' }, { mode: 'inherit' }, undefined])).toEqual({
      mode: 'per-send',
    })
    expect(effectiveTrace([{ mode: 'per-send' }, { mode: 'off' }])).toEqual({ mode: 'off' })
    expect(effectiveTrace([undefined, { mode: 'inherit' }])).toBeNull()
  })

  it('checks tracestate and the body field', () => {
    expect(tracestateProblem('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toBeNull()
    expect(tracestateProblem('tenant@vendor=x')).toBeNull()
    expect(tracestateProblem('no equals')).toContain('key=value')
    expect(tracestateProblem('x'.repeat(600))).toContain('512')
    expect(traceSettingSchema.safeParse({ mode: 'per-send', tracestate: 'Bad Key=1' }).success).toBe(false)
    expect(traceSettingSchema.safeParse({ mode: 'per-send', bodyField: 'trace_id' }).success).toBe(false)
    expect(traceSettingSchema.safeParse({ mode: 'sometimes' }).success).toBe(false)
  })
})

describe('trace links', () => {
  it('fills {traceId} into an http(s) template', () => {
    expect(traceLink('http://localhost:16686/trace/{traceId}', 'not an id')).toBeNull()
    expect(traceLink('http://localhost:16686/trace/{traceId}', '4bf92f3577b34da6a3ce929d0e0e4736')).toBe(
      'http://localhost:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736',
    )
    expect(asTraceId(' 4BF92F3577B34DA6A3CE929D0E0E4736 ')).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
  })

  it('refuses templates that are not http(s), have no {traceId} or carry credentials', () => {
    expect(traceLinkProblem('javascript:alert({traceId})')).toContain('only http and https')
    expect(traceLinkProblem('file:///etc/{traceId}')).toContain('only http and https')
    expect(traceLinkProblem('http://localhost:16686/search')).toContain('{traceId}')
    expect(traceLinkProblem('http://user:pw@localhost/{traceId}')).toContain('password')
    expect(externalUrlProblem('https://grafana.example/explore?q=1')).toBeNull()
  })
})
