import { benchBody } from './body.bench'
import { benchCollections } from './collections.bench'
import { benchGraphql } from './graphql.bench'
import { benchGrpc } from './grpc.bench'
import { benchHttp } from './http.bench'
import { benchImport } from './import.bench'
import { benchLoopDelay } from './loop-delay.bench'
import { benchMessaging } from './messaging.bench'
import { benchUi } from './ui.bench'
import { benchUiGraphql } from './ui-graphql.bench'
import { benchUiIdle } from './ui-idle.bench'
import { RESULTS_FILE, recordResults } from './results'
import { benchRunner } from './runner.bench'
import { benchScripts } from './scripts.bench'
import { benchSoak } from './soak.bench'
import { benchStartup } from './startup.bench'
import { benchSse } from './sse.bench'
import { benchWs } from './ws.bench'

/** `npm run bench`: every section in one run; figures go to bench-results.json. */
async function main(): Promise<void> {
  const only = process.argv.slice(2)
  const sections: [string, () => Promise<Record<string, number>>][] = [
    ['http', benchHttp],
    ['body', benchBody],
    ['engine', benchLoopDelay],
    ['sse', benchSse],
    ['ws', benchWs],
    ['messaging', benchMessaging],
    ['grpc', benchGrpc],
    ['graphql', benchGraphql],
    ['collections', benchCollections],
    ['import', benchImport],
    ['ui', benchUi],
    ['ui-idle', benchUiIdle],
    ['ui-graphql', benchUiGraphql],
    ['soak', benchSoak],
    ['runner', benchRunner],
    ['scripts', benchScripts],
    ['cli', benchStartup],
  ]
  for (const [name, run] of sections) {
    if (only.length > 0 && !only.includes(name)) continue
    console.log(`== ${name}`)
    recordResults(await run())
  }
  console.log(`results written to ${RESULTS_FILE}`)
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
