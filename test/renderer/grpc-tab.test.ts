import { describe, expect, it } from 'vitest'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import { createAppStore } from '../../src/renderer/store/app-store'
import { draftToSaved, extrasOf, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { activeGrpcDraft } from '../../src/renderer/grpc/grpc-slice'
import { grpcMessages, grpcurlCommand } from '../../src/renderer/grpc/grpc-messages'
import { selectActiveDraft } from '../../src/renderer/tabs/active-draft'
import { tabContent } from '../../src/renderer/tabs/request-tab'
import { fakeClient } from './fake-client'

/**
 * A gRPC request's `grpc:` block and message survive a tab: opened and saved back they are the same (the block
 * was dropped on save, so a request saved from the app lost its method), and the gRPC composer's edits are what
 * a save writes, TLS included (the target's scheme).
 */

const saved: SavedRequest = {
  ...emptySavedRequest('Count', 'grpc'),
  url: 'grpc://127.0.0.1:50051',
  messages: [{ name: 'ask', text: '{"n": 5}' }],
  grpc: {
    method: 'flightdeck.test.Echo/Count',
    proto: ['echo.proto'],
    importPaths: ['protos'],
    deadlineMs: 1500,
  },
}

describe('a gRPC request in a tab', () => {
  it('opens and saves back with its grpc block and message unchanged', () => {
    const back = draftToSaved(savedToDraft(saved), extrasOf(saved), saved.options)
    expect(back.grpc).toEqual(saved.grpc)
    expect(back.messages).toEqual(saved.messages)
    expect(back.kind).toBe('grpc')
  })

  it("the composer's edits are what a save writes", () => {
    const store = createAppStore(fakeClient().client)
    const s = store.getState
    s().setKind('grpc')
    s().setUrl('localhost:50051')
    expect(activeGrpcDraft(s()).plaintext).toBe(false)
    s().setGrpcDraft({ plaintext: true, method: 'flightdeck.test.Echo/Say', message: '{"text": "hi"}' })
    s().setGrpcDraft({ source: 'proto', protoFiles: 'echo.proto, ', importPaths: 'protos', deadline: '2.5' })
    expect(selectActiveDraft(s()).url).toBe('grpc://localhost:50051')
    // What is being typed stays as typed; the saved block has it as lists and milliseconds.
    expect(activeGrpcDraft(s()).protoFiles).toBe('echo.proto, ')
    const tab = s().tabs.find((t) => t.id === s().activeTabId)
    if (!tab) throw new Error('no tab')
    const content = tabContent(tab)
    expect(content.grpc).toEqual({
      method: 'flightdeck.test.Echo/Say',
      proto: ['echo.proto'],
      importPaths: ['protos'],
      deadlineMs: 2500,
    })
    expect(content.messages).toEqual([{ name: 'message', text: '{"text": "hi"}' }])
  })

  it('reads the editor as messages, and copies the call as grpcurl', () => {
    expect(grpcMessages('{"a": 1}', false)).toEqual({ ok: true, value: ['{"a": 1}'] })
    expect(grpcMessages('{"a": 1}\n{"a": 2}', true)).toEqual({ ok: true, value: ['{"a": 1}', '{"a": 2}'] })
    expect(grpcMessages('[{"a": 1}, {"a": 2}]', true)).toEqual({ ok: true, value: ['{"a":1}', '{"a":2}'] })
    expect(
      grpcurlCommand({
        target: 'grpc://localhost:50051',
        plaintext: true,
        insecure: false,
        metadata: [{ name: 'authorization', value: "Bearer it's", enabled: true }],
        protoFiles: [],
        importPaths: [],
        deadlineS: 2,
        method: 'pkg.Svc/M',
        message: '{"a": 1}',
      }),
    ).toBe(
      `grpcurl -plaintext -H 'authorization: Bearer it'\\''s' -max-time 2 -d '{"a": 1}' 'localhost:50051' 'pkg.Svc/M'`,
    )
  })
})
