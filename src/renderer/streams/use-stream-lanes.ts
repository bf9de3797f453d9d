import { useEffect } from 'react'
import { registerLaneRenderer } from '../timeline/lanes'
import { useAppStoreApi } from '../store/store-context'
import { paintStreamLane } from './paint-stream-lane'

/** Register the waterfall's painter for SSE and WebSocket lanes; it reads each lane's ticks from the store. */
export function useStreamLanes(): void {
  const store = useAppStoreApi()
  useEffect(() => {
    const paint = (p: Parameters<typeof paintStreamLane>[0]): void =>
      paintStreamLane(p, store.getState().streamLanes[p.row.sid])
    const offSse = registerLaneRenderer('sse', paint)
    const offWs = registerLaneRenderer('ws', paint)
    const offGrpc = registerLaneRenderer('grpc', paint)
    const offMqtt = registerLaneRenderer('mqtt', paint)
    const offIo = registerLaneRenderer('socketio', paint)
    return () => {
      offIo()
      offMqtt()
      offGrpc()
      offWs()
      offSse()
    }
  }, [store])
}
