import { createEngineService } from '../../src/engine/service'

/**
 * Run in a fresh process by first-request.test.ts: start an engine as a host does, leave it idle a moment
 * (as an app is between start-up and the first send), send one GET to argv[2], and print its phases.
 */
const url = process.argv[2] ?? ''
const service = createEngineService({ host: 'test', persistWorkspace: false, watchCollections: false })
await new Promise((r) => setTimeout(r, 200))
const sent = await service.invoke('http.send', {
  request: { method: 'GET', url, headers: [], body: { kind: 'none' }, options: {} },
})
if (!sent.ok) throw new Error(sent.error.message)
const result = await service.http.waitFor(sent.value.sids[0] ?? '')
const connect = result.events.find((e) => e.type === 'connect')
const request = result.events.find((e) => e.type === 'request-sent')
const final = result.final
process.stdout.write(
  JSON.stringify({
    stallMs: connect && request && 'start' in request ? request.start - connect.t : null,
    timings: final.type === 'done' ? final.timings : null,
  }) + '\n',
)
await service.dispose()
// The engine's worker pool and sweeps may keep the loop alive a while; the probe is done.
process.exit(0)
