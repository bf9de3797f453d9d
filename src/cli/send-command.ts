import { z } from 'zod'
import { createOnDemandService } from '../engine/service-on-demand'
import type { CliCommand } from './args'
import { oauthCliOptions } from './oauth-args'
import { sendSaved, USER_ERROR_CODES } from './collection-send'
import type { CliIo } from './index'
import type { Interrupt } from './interrupt'
import { fileVariable } from './unresolved-variable'
import type { RequestBody } from '../shared/request'
import { buildReport, humanLines, type ExchangeOutcome } from './report'
import { withPipedBody } from './piped-body'
import { scriptLines, scriptsFailed, watchScripts } from './send-scripts-output'

type SendCommand = Extract<CliCommand, { kind: 'send' | 'send-saved' }>

/**
 * `flightdeck send <url>` and `send --collection DIR --request PATH`: one engine service (host 'cli'), one
 * request, one report. Exit codes: 0 when any HTTP response arrived (even a 500), 1 on a network error, 2 on
 * bad arguments, 130 / 143 when Ctrl+C / SIGTERM cancelled it. Loaded only when a send runs, so `--help` and the other commands never load the engine.
 */
export async function runSend(command: SendCommand, io: CliIo): Promise<number> {
  // zod compiles an object schema's parser (new Function, ~17 KB of source for a request) on its first parse, to
  // run the next thousand faster; a send parses each once, and V8's code cache cannot keep generated code.
  z.config({ jitless: true })
  // `-d @-`, `-d @fifo` and `-F name=@-`: each pipe is read once, to a copy the request sends as a file (a 307's
  // resend reads the copy); Ctrl+C and SIGTERM have one listener from here to the end.
  return withPipedBody(
    'send',
    command.kind === 'send' ? command.request.body : null,
    io.err,
    'before the request was sent',
    (piped, interrupt) =>
      sendOnce(
        piped && command.kind === 'send'
          ? { ...command, request: { ...command.request, body: piped } }
          : command,
        io,
        interrupt,
        piped !== null,
      ),
    command.kind === 'send' && command.literalBraces === true,
  )
}

async function sendOnce(
  command: SendCommand,
  io: CliIo,
  interrupt: Interrupt,
  bodyLookedAt = false,
): Promise<number> {
  // A saved request's --env-var and --global-var: read here, so a plain `send <url>` never loads their module.
  const session = command.kind === 'send-saved' ? await import('./env-var-args') : null
  const given =
    session && command.kind === 'send-saved'
      ? session.readGivenVariables(command.envVars, command.globalVars, process.env)
      : null
  if (given instanceof Error) {
    io.err(`flightdeck: ${given.message}\n`)
    return 2
  }
  // A body file's {{variables}} are refused as typed ones are (a plain send has none), unless --literal-braces.
  const inFile =
    command.kind === 'send' && !bodyLookedAt && command.literalBraces !== true
      ? await variableInBodyFiles(command.request.body)
      : null
  if (inFile !== null) {
    io.err(`flightdeck: ${inFile}\n`)
    return 2
  }
  // `-F name=<path` parts, read (their {{variables}} looked at) as file parts until here: now sent as fields.
  if (command.kind === 'send' && command.fieldFiles) {
    const { withFieldFiles } = await import('./form-field-files')
    const body = await withFieldFiles(command.request.body, command.fieldFiles)
    if (typeof body === 'string') {
      io.err(`flightdeck: ${body}\n`)
      return 2
    }
    command = { ...command, request: { ...command.request, body } }
  }
  // One request: nothing to watch, and the app's workspace (its open collections) is none of a send's business.
  // The engine's parts are built as the request needs them: a plain URL needs no collection, stream or runner.
  const service = createOnDemandService({
    host: 'cli',
    watchCollections: false,
    persistWorkspace: false,
    ...oauthCliOptions(io.err, command.kind === 'send-saved' ? command.oauthTimeoutMs : undefined),
  })
  // Ctrl+C or SIGTERM cancels the request (the engine reports it, and the report is printed) instead of killing
  // the process mid-write; one that comes before the engine named the session cancels it once it does.
  let sid: string | null = null
  const scripts = watchScripts(service)
  try {
    if (interrupt.signal !== null) return interrupt.exitCode(1)
    interrupt.handOver(() => {
      // Before the session: the send may be waiting for an OAuth 2.0 sign-in, which the signal ends.
      if (sid) void service.invoke('session.cancel', { sid })
      else void service.invoke('oauth2.cancelSignIn', { all: true })
    })
    if (session && given && command.kind === 'send-saved')
      await session.useSessionVariables(service, given, command.allowEmptySecrets, io.err)
    const sent =
      command.kind === 'send'
        ? await service.invoke('http.send', {
            request: command.request,
            ...(command.trace ? { trace: true } : {}),
          })
        : await sendSaved(service, command)
    if (!sent.ok) {
      // A sign-in the signal ended failed as `auth`; the person cancelled it, and a run's report says so too.
      const code = interrupt.signal !== null ? 'cancelled' : sent.error.code
      io.err(`flightdeck: ${code}: ${sent.error.message}\n`)
      return interrupt.exitCode(USER_ERROR_CODES.has(sent.error.code) ? 2 : 1)
    }
    sid = sent.value.sids[0] ?? null
    if (!sid) {
      io.err('flightdeck: internal: the engine returned no session\n')
      return 1
    }
    if (interrupt.signal !== null) void service.invoke('session.cancel', { sid })
    const result = await service.waitForExchange(sid)
    const outcome: ExchangeOutcome = { events: result.events, final: result.final }
    const reports = await scripts.reports(sid, sent.value.testScript === true)

    if (command.json)
      io.out(
        `${JSON.stringify(reports.length > 0 ? { ...buildReport(outcome), scripts: reports } : buildReport(outcome))}\n`,
      )
    else io.out(`${[...humanLines(outcome), ...scriptLines(reports)].join('\n')}\n`)

    if (result.final.type === 'done') {
      if (!scriptsFailed(reports)) return 0
      io.err('flightdeck: a script test failed or a script was stopped\n')
      return 1
    }
    if (result.final.type === 'error') {
      const { code, message, detail } = result.final
      // A file the send could not use says why (not a file, too large, no certificate), as `run` does.
      io.err(`flightdeck: ${code}: ${message}${code === 'file' && detail ? `: ${detail}` : ''}\n`)
    } else {
      io.err('flightdeck: cancelled: the request was cancelled\n')
    }
    return interrupt.exitCode(1)
  } finally {
    scripts.stop()
    await service.dispose()
  }
}

/**
 * The refusal for the first `{{variable}}` in a file the body sends: `-d @file`'s, or each `-F name=@file` part's
 * in order (the same rule: a text file is looked at, a binary one goes as it is), or null.
 */
async function variableInBodyFiles(body: RequestBody): Promise<string | null> {
  if (body.kind === 'file') return fileVariable('send', body.path, 'the body, -d @file')
  if (body.kind !== 'multipart') return null
  for (const part of body.parts) {
    if (part.kind !== 'file') continue
    const found = await fileVariable('send', part.path, `the form part ${part.name}, -F ${part.name}=@file`)
    if (found !== null) return found
  }
  return null
}
