/**
 * The one-off commands (`send <url>`, `sse`, `ws`, `graphql`, `grpc`, `mqtt`, `socketio`) have no collection and
 * so no variables: a `{{token}}` pasted from Postman, Insomnia or Bruno would go out as those braces (a 401, a
 * wrong topic, a payload the server cannot read) or be refused late by the engine with exit 1. Every such
 * command refuses it while parsing (exit 2), naming the variable, where it is, and what resolves it. Text read
 * from a file (`-d @file`, `--query @file`) is not looked at: a file's bytes go as they are.
 */

/** A `{{name}}` as Postman, Insomnia and Bruno write variables (`{{$guid}}` too). */
const VARIABLE = /\{\{\s*([^{}\s][^{}]*?)\s*\}\}/

/** Where a value came from, in words (`the URL`, `a header`), and the text typed. Undefined: not given. */
export type TypedText = readonly [where: string, text: string | undefined]

/** What a saved request of this command's kind is run with. */
const HOW_TO_RESOLVE: Record<string, string> = {
  send: 'save the request in a collection and send it with --collection DIR --request PATH (with --env or --env-var)',
}

/**
 * The refusal for the first `{{variable}}` in `places`, or null when there is none. `command` names the command
 * as typed (`send`, `ws`, `grpc`).
 */
export function unresolvedVariable(command: string, places: readonly TypedText[]): string | null {
  for (const [where, text] of places) {
    if (text === undefined) continue
    const found = VARIABLE.exec(text)
    if (!found) continue
    const how =
      HOW_TO_RESOLVE[command] ??
      'save the request in a collection and run it with flightdeck run DIR PATH (with --env or --env-var)'
    return `{{${found[1] ?? ''}}} in ${where} is a variable, and a plain ${command} has none: ${how}, or write the value`
  }
  return null
}

/** Each value of a repeatable option as a place of its own, or none when the option was not given. */
export function eachTyped(where: string, values: readonly string[] | undefined): TypedText[] {
  return (values ?? []).map((v): TypedText => [where, v])
}

/** An option whose `@path` names a file: the file's text is not looked at, only text typed in place. */
export function typedUnlessFile(where: string, value: string | undefined): TypedText {
  return [where, value !== undefined && value.startsWith('@') ? undefined : value]
}
