import { afterEach, describe, expect, it } from 'vitest'
import { KINDS_PROTO, startKindsServer, type KindsServer } from '../fixtures/grpc/kinds-server'
import { PROTO_DIR } from '../fixtures/grpc/grpc-server'
import { call, grpcRig, invoke, type GrpcRig } from './grpc-helpers'
import { readLog } from './stream-helpers'

/**
 * Protobuf's JSON forms of the well-known types, both ways, against a grpc-js server whose messages use each:
 * what the user writes goes on the wire as the type's fields, and what comes back reads as the user wrote it.
 */
describe('gRPC well-known types as JSON', () => {
  let server: KindsServer | null = null
  let rig: GrpcRig | null = null
  afterEach(async () => {
    rig?.close()
    rig = null
    await server?.close()
    server = null
  })

  const bag = {
    at: '2026-12-05T10:00:00.250Z',
    took: '1.5s',
    meta: { user: 'ada', n: 2, ok: true, none: null, tags: ['a', 'b'], deep: { x: 1 } },
    anything: ['mixed', 1, { y: false }],
    list: [1, 'two', null],
    maybe_count: 0,
    maybeName: 'named',
    maybe_flag: false,
    maybe_big: '9007199254740993',
    maybe_bytes: 'aGk=',
    maybe_ratio: 0.25,
    mask: 'userName,meta.deepField',
    extra: {
      '@type': 'type.googleapis.com/flightdeck.kinds.Note',
      text: 'inner',
      at: '2026-01-01T00:00:00Z',
    },
    nothing: {},
    big: '9007199254740993',
    blob: 'AAEC',
    times: ['1970-01-01T00:00:01Z', '2000-02-29T23:59:59.000000001Z'],
    gaps: { short: '0.001s', long: '-3600s' },
  }

  const schemas = {
    reflection: { kind: 'reflection' as const },
    'proto files': { kind: 'proto' as const, files: [KINDS_PROTO], importPaths: [PROTO_DIR] },
  }

  for (const [how, schema] of Object.entries(schemas)) {
    it(`writes and reads each well-known type in its JSON form (${how})`, async () => {
      server = await startKindsServer({ reflection: how === 'reflection' })
      rig = grpcRig()
      const { outcome, sid } = await invoke(
        rig,
        call(server.target, 'flightdeck.kinds.Kinds/Mirror', [bag], { schema }),
      )
      expect(outcome.final.type).toBe('done')
      const log = await readLog(rig.service, sid)
      const reply = JSON.parse(log.find((e) => e.dir === 'in' && e.kind === 'text')?.data ?? '{}') as {
        bag: Record<string, unknown>
        seen: string
      }
      // On the wire: the types' own fields.
      const seen = JSON.parse(reply.seen) as Record<string, unknown>
      expect(seen.at).toEqual({ seconds: '1796464800', nanos: 250000000 })
      expect(seen.took).toEqual({ seconds: '1', nanos: 500000000 })
      expect(seen.maybe_count).toEqual({ value: 0 })
      expect(seen.maybe_name).toEqual({ value: 'named' })
      expect(seen.maybe_big).toEqual({ value: '9007199254740993' })
      expect(seen.mask).toEqual({ paths: ['user_name', 'meta.deep_field'] })
      expect(seen.extra).toMatchObject({ type_url: 'type.googleapis.com/flightdeck.kinds.Note' })
      expect(seen.times).toEqual([
        { seconds: '1', nanos: 0 },
        { seconds: '951868799', nanos: 1 },
      ])
      expect(seen.gaps).toEqual({
        short: { seconds: '0', nanos: 1000000 },
        long: { seconds: '-3600', nanos: 0 },
      })
      // Read back: the JSON forms, as written.
      expect(reply.bag).toEqual({
        at: '2026-12-05T10:00:00.250Z',
        took: '1.500s',
        meta: bag.meta,
        anything: bag.anything,
        list: bag.list,
        maybe_count: 0,
        maybe_name: 'named',
        maybe_flag: false,
        maybe_big: '9007199254740993',
        maybe_bytes: 'aGk=',
        maybe_ratio: 0.25,
        mask: 'userName,meta.deepField',
        extra: {
          '@type': 'type.googleapis.com/flightdeck.kinds.Note',
          text: 'inner',
          at: '2026-01-01T00:00:00Z',
        },
        nothing: {},
        big: '9007199254740993',
        blob: 'AAEC',
        times: ['1970-01-01T00:00:01Z', '2000-02-29T23:59:59.000000001Z'],
        gaps: { short: '0.001s', long: '-3600s' },
      })
    })
  }

  it('leaves unset well-known fields out as null, and Empty for Empty', async () => {
    server = await startKindsServer({ reflection: true })
    rig = grpcRig()
    const { sid } = await invoke(rig, call(server.target, 'flightdeck.kinds.Kinds/Mirror', [{}]))
    const log = await readLog(rig.service, sid)
    const reply = JSON.parse(log.find((e) => e.dir === 'in' && e.kind === 'text')?.data ?? '{}') as {
      bag: Record<string, unknown>
    }
    expect(reply.bag).toMatchObject({
      at: null,
      took: null,
      maybe_count: null,
      big: '0',
      times: [],
      gaps: {},
    })
    const empty = await invoke(rig, call(server.target, 'flightdeck.kinds.Kinds/Nothing', [{}]))
    expect(empty.outcome.final.type).toBe('done')
  })

  it('fills a template with each well-known type in its JSON form', async () => {
    server = await startKindsServer({ reflection: true })
    rig = grpcRig()
    const schema = await rig.grpc.schema({
      target: server.target,
      tls: { plaintext: true },
      metadata: [],
      schema: { kind: 'reflection' },
      base: '.',
    })
    if (!schema.ok) throw new Error(schema.error.message)
    const t = rig.grpc.template(schema.value, 'flightdeck.kinds.Kinds/Mirror')
    if (!t.ok) throw new Error(t.error.message)
    expect(JSON.parse(t.value)).toMatchObject({
      at: '1970-01-01T00:00:00Z',
      took: '0s',
      meta: {},
      anything: null,
      list: [],
      maybe_count: null,
      mask: '',
      extra: null,
      nothing: {},
      big: '0',
    })
    // The template goes out as it is.
    const sent = await invoke(rig, call(server.target, 'flightdeck.kinds.Kinds/Mirror', [t.value]))
    expect(sent.outcome.final.type).toBe('done')
  })

  const refused: [string, Record<string, unknown>, string][] = [
    ['a timestamp that is not RFC 3339', { at: 'yesterday' }, 'at must be an RFC 3339 timestamp'],
    ['a duration without its s', { took: '1.5' }, 'took must be a duration in seconds'],
    ['a wrapper given an object', { maybe_count: { value: 1 } }, 'maybe_count must be an integer (int32)'],
    ['a field mask that is not text', { mask: ['a'] }, 'mask must be a field mask'],
    ['an Any of a type the schema lacks', { extra: { '@type': 'type.googleapis.com/x.Nope' } }, 'x.Nope'],
    ['an Any without @type', { extra: { text: 'x' } }, 'extra must name its type in "@type"'],
    ['a field the Any type lacks', { extra: { '@type': 'flightdeck.kinds.Note', txt: 1 } }, 'no field "txt"'],
    [
      'two fields of one oneof',
      { owner_name: 'ada', ownerId: '7' },
      'owner_name and owner_id are both in oneof owner: set only one',
    ],
  ]
  for (const [what, message, words] of refused) {
    it(`refuses ${what}, naming the field, before sending`, async () => {
      server = await startKindsServer({ reflection: true })
      rig = grpcRig()
      const opened = await rig.grpc.open(call(server.target, 'flightdeck.kinds.Kinds/Mirror', [message]), {
        base: process.cwd(),
      })
      expect(opened.ok).toBe(false)
      if (!opened.ok) expect(opened.error.message).toContain(words)
    })
  }
})
