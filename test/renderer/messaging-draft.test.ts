import { describe, expect, it } from 'vitest'
import { emptySavedRequest } from '../../src/shared/collection'
import { draftToSaved, extrasOf, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { parseSubscriptions } from '../../src/renderer/mqtt/messaging-slice'

describe('MQTT and Socket.IO requests in a tab', () => {
  it('keep their mqtt: and socketio: blocks through a save from the app', () => {
    const mq = {
      ...emptySavedRequest('Sensors', 'mqtt'),
      url: 'mqtt://127.0.0.1:1883',
      mqtt: {
        subscriptions: [{ topic: 's/#', qos: 1 as const }],
        publishes: [{ name: 'p', topic: 's/t', payload: '21.5', qos: 2 as const, retain: true }],
      },
    }
    const sio = {
      ...emptySavedRequest('Chat', 'socketio'),
      url: 'http://127.0.0.1:3000',
      socketio: { namespace: '/chat', listen: ['message'], emits: [] },
    }
    for (const req of [mq, sio]) {
      const saved = draftToSaved(savedToDraft(req), extrasOf(req), req.options)
      expect(saved.mqtt).toEqual(req.mqtt)
      expect(saved.socketio).toEqual(req.socketio)
    }
  })

  it('reads subscriptions as topic@qos, comma-separated, refusing a QoS past 2', () => {
    expect(parseSubscriptions('a/#@1, b ,c@2,')).toEqual({
      ok: true,
      value: [
        { topic: 'a/#', qos: 1 },
        { topic: 'b', qos: 0 },
        { topic: 'c', qos: 2 },
      ],
    })
    expect(parseSubscriptions('a@3')).toMatchObject({
      ok: false,
      error: { message: 'QoS must be 0, 1 or 2 in "a@3"' },
    })
  })
})
