import type { ChildProcess } from 'node:child_process'
import { afterEach } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startFloodPeer } from '../attack/flood-peer'
import { makeService } from './helpers'

/**
 * For each case of the calling file: a flooding peer in its own process (flood-peer.ts) and an engine service,
 * both let go after the case. `peer` answers the port the peer listens on.
 */
export function floodPeerEachCase(): {
  peer: (source: string, name: string) => Promise<number>
  service: () => EngineService
} {
  let service: EngineService | null = null
  let peer: ChildProcess | null = null
  afterEach(async () => {
    await service?.dispose()
    peer?.kill()
    service = peer = null
  })
  return {
    peer: async (source, name) => {
      const started = await startFloodPeer(source, name)
      peer = started.child
      return started.port
    },
    service: () => (service = makeService()),
  }
}
