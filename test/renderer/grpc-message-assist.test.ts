import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete'
import { json } from '@codemirror/lang-json'
import { ensureSyntaxTree } from '@codemirror/language'
import { EditorState } from '@codemirror/state'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GrpcSchemaInfo } from '../../src/shared/grpc'
import { grpcCompletion, type MessageTypes } from '../../src/renderer/grpc/grpc-json-assist'
import { grpcDiagnostics } from '../../src/renderer/grpc/grpc-json-lint'
import { startGrpcServer, type GrpcTestServer } from '../fixtures/grpc/grpc-server'
import { startKindsServer, type KindsServer } from '../fixtures/grpc/kinds-server'
import { grpcRig, type GrpcRig } from '../engine/grpc-helpers'

/**
 * The gRPC message editor's completion and lint, from the request types a real server's reflection described:
 * what the person sees offered at the cursor ("|" in the texts), and what is underlined with which words.
 */

let echo: GrpcTestServer
let kinds: KindsServer
let rig: GrpcRig
let echoInfo: GrpcSchemaInfo
let kindsInfo: GrpcSchemaInfo

async function info(target: string): Promise<GrpcSchemaInfo> {
  const r = await rig.grpc.schema({
    target,
    tls: { plaintext: true },
    metadata: [],
    schema: { kind: 'reflection' },
    base: '.',
  })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.info({ types: true })
}

beforeAll(async () => {
  echo = await startGrpcServer()
  kinds = await startKindsServer({ reflection: true })
  rig = grpcRig()
  echoInfo = await info(echo.target)
  kindsInfo = await info(kinds.target)
})

afterAll(async () => {
  rig.close()
  await echo.close()
  await kinds.close()
})

const types = (i: GrpcSchemaInfo, root: string, many = false): MessageTypes => ({
  root,
  types: i.types ?? {},
  many,
})

function stateOf(textWithCursor: string): { state: EditorState; pos: number } {
  const pos = textWithCursor.indexOf('|')
  const doc = textWithCursor.replace('|', '')
  const state = EditorState.create({ doc, selection: { anchor: Math.max(pos, 0) }, extensions: [json()] })
  ensureSyntaxTree(state, state.doc.length, 5000)
  return { state, pos }
}

function complete(
  m: MessageTypes,
  textWithCursor: string,
): { labels: string[]; result: CompletionResult | null } {
  const { state, pos } = stateOf(textWithCursor)
  const result = grpcCompletion(m)(new CompletionContext(state, pos, true)) as CompletionResult | null
  return { labels: result?.options.map((o) => o.displayLabel ?? o.label) ?? [], result }
}

function lint(m: MessageTypes, doc: string): string[] {
  const { state } = stateOf(doc)
  return grpcDiagnostics(state, m).map((d) => `${doc.slice(d.from, d.to)}: ${d.message}`)
}

describe('gRPC message editor', () => {
  it('offers the fields of the request type, with their types, leaving out those already written', () => {
    const m = types(echoInfo, 'flightdeck.test.SayRequest')
    const { labels, result } = complete(m, '{"text": "hi", |}')
    expect(labels).toEqual(['mood', 'meta', 'tags', 'delay_ms'])
    const detail = Object.fromEntries(result?.options.map((o) => [o.displayLabel ?? o.label, o.detail]) ?? [])
    expect(detail).toEqual({
      mood: 'Mood (enum)',
      meta: 'Meta',
      tags: 'repeated string',
      delay_ms: 'int32',
    })
    // A name being typed; the JSON name of a field counts as written.
    const typing = complete(m, '{"delayMs": 1, "me|')
    expect(typing.labels).toEqual(['text', 'mood', 'meta', 'tags'])
    // What was typed ("me, with its quote) is what the labels are matched against.
    expect(typing.result?.options[2]?.label).toBe('"meta"')
    expect(complete(m, '{"mo|').labels).toContain('mood')
    // Inside a nested message: its own fields.
    expect(complete(m, '{"meta": {|}}').labels).toEqual(expect.arrayContaining(['tag', 'id']))
  })

  it('offers enum values and booleans where a value goes', () => {
    const m = types(echoInfo, 'flightdeck.test.SayRequest')
    expect(complete(m, '{"mood": |}').labels).toEqual(['"MOOD_UNSPECIFIED"', '"HAPPY"', '"GRUMPY"'])
    expect(complete(m, '{"mood": "HA|"}').labels).toContain('"HAPPY"')
    const k = types(kindsInfo, 'flightdeck.kinds.Bag')
    expect(complete(k, '{"maybe_flag": |}').labels).toEqual(['true', 'false'])
  })

  it('fills a chosen field with a value of its type (well-known types in their JSON forms)', () => {
    const k = types(kindsInfo, 'flightdeck.kinds.Bag')
    const { result } = complete(k, '{|}')
    const apply = Object.fromEntries(result?.options.map((o) => [o.displayLabel ?? o.label, o.apply]) ?? [])
    expect(apply).toMatchObject({
      at: '"at": "1970-01-01T00:00:00Z"',
      took: '"took": "0s"',
      maybe_count: '"maybe_count": 0',
      big: '"big": "0"',
      times: '"times": []',
      gaps: '"gaps": {}',
    })
  })

  it('underlines a field the type lacks and a value of the wrong type, naming them', () => {
    const m = types(echoInfo, 'flightdeck.test.SayRequest')
    expect(
      lint(m, '{"txt": "hi", "mood": "SAD", "tags": "a", "delay_ms": 1.5, "meta": {"id": "x"}}'),
    ).toEqual([
      '"txt": flightdeck.test.SayRequest has no field "txt"; its fields: text, mood, meta, tags, delay_ms',
      '"SAD": mood: must be one of MOOD_UNSPECIFIED, HAPPY, GRUMPY',
      '"a": tags: a repeated field takes a JSON array, not text',
      '1.5: delay_ms: int32 takes an integer, not the number 1.5',
      '"x": id: int64 takes an integer (as a string past 2^53), not the text "x"',
    ])
    expect(
      lint(m, '{"text": "hi", "mood": "HAPPY", "tags": ["a"], "meta": {"id": "9007199254740993"}}'),
    ).toEqual([])
  })

  it('checks well-known types in their JSON forms', () => {
    const k = types(kindsInfo, 'flightdeck.kinds.Bag')
    expect(
      lint(
        k,
        '{"at": "2026-12-05T10:00:00Z", "took": "1.5s", "meta": {"any": [1, {"x": null}]}, "anything": 3, "maybe_count": 2, "mask": "a.b"}',
      ),
    ).toEqual([])
    expect(lint(k, '{"at": 5, "took": "1.5", "maybe_count": "x", "meta": []}')).toEqual([
      '5: at: a Timestamp is RFC 3339 text ("2026-12-05T10:00:00Z")',
      '"1.5": took: a Duration is text in seconds ("1.5s")',
      '"x": maybe_count: int32 takes an integer, not the text "x"',
      '[]: meta: a Struct is a JSON object, not an array',
    ])
  })

  it('a oneof: its fields say their group, and setting two of them is underlined', () => {
    const k = types(kindsInfo, 'flightdeck.kinds.Bag')
    const { result } = complete(k, '{"owner_name": "ada", |}')
    const id = result?.options.find((o) => (o.displayLabel ?? o.label) === 'owner_id')
    expect(id).toMatchObject({ detail: 'int64', info: 'oneof owner: set one of its fields' })
    // The other field of a group already set is offered last.
    expect(id?.boost).toBeLessThan(0)
    expect(lint(k, '{"owner_name": "ada", "owner_id": "7"}')).toEqual([
      '"owner_id": "owner_id" and "owner_name" are both in oneof owner: set only one',
    ])
    expect(lint(k, '{"owner_name": "ada", "owner_id": null}')).toEqual([])
  })

  it('several messages (a client or bidi stream): each line or array item is a message', () => {
    const m = types(echoInfo, 'flightdeck.test.SayRequest', true)
    expect(lint(m, '[{"text": "a"}, {"txt": "b"}]')).toEqual([
      '"txt": flightdeck.test.SayRequest has no field "txt"; its fields: text, mood, meta, tags, delay_ms',
    ])
    expect(complete(m, '[{"text": "a"}, {|}]').labels).toContain('mood')
  })

  it('says where the text is not JSON', () => {
    const m = types(echoInfo, 'flightdeck.test.SayRequest')
    expect(lint(m, '{"text": }').length).toBeGreaterThan(0)
    // A {{variable}} in place of a value is not flagged: it is resolved before sending.
    expect(lint(m, '{"delay_ms": {{wait}}}')).toEqual([])
  })
})
