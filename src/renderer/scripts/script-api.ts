/**
 * The script API as the Scripts tab's completion offers it: Postman's `pm` (and the legacy globals real
 * collections still use), `console`, and Bruno's `bru`/`req`/`res` for requests brought from Bruno. Each entry
 * says what it is in a few words (`detail`) and, where it helps, how it is called (`info`). It lists what the
 * sandbox provides, not every property of Postman's.
 */
export interface ApiEntry {
  /** `function`, `property`, `namespace` (has members) or `variable`. */
  type: 'function' | 'property' | 'namespace' | 'variable'
  detail?: string
  info?: string
  /** What completing inserts, when it is more than the name (a call's parentheses). */
  apply?: string
  members?: Readonly<Record<string, ApiEntry>>
}

const fn = (detail: string, info?: string, apply?: string): ApiEntry => ({
  type: 'function',
  detail,
  ...(info !== undefined ? { info } : {}),
  ...(apply !== undefined ? { apply } : {}),
})
const prop = (detail: string): ApiEntry => ({ type: 'property', detail })
const ns = (detail: string, members: Record<string, ApiEntry>): ApiEntry => ({
  type: 'namespace',
  detail,
  members,
})

/** get/set/has/unset/clear/toObject/replaceIn: every variable scope of Postman's has them. */
function variableScope(what: string): ApiEntry {
  return ns(what, {
    get: fn('(name) → value', `The value of a variable of ${what}, or undefined.`),
    set: fn('(name, value)', `Sets a variable of ${what}.`),
    has: fn('(name) → boolean'),
    unset: fn('(name)', `Removes a variable from ${what}.`),
    clear: fn('()', `Removes every variable from ${what}.`),
    toObject: fn('() → object', 'Every variable as { name: value }.'),
    replaceIn: fn('(text) → string', 'The text with its {{variables}} replaced.'),
  })
}

const headerList = ns('the headers', {
  get: fn('(name) → value', 'A header by name (any case), or undefined.'),
  has: fn('(name) → boolean'),
  toObject: fn('() → object'),
  each: fn('(fn)', 'Calls fn with each header ({ key, value }).'),
})

const have = ns('have', {
  status: fn('(code | reason)', 'pm.response.to.have.status(200)'),
  header: fn('(name[, value])', "pm.response.to.have.header('Content-Type')"),
  jsonBody: fn('([path[, value]])', "pm.response.to.have.jsonBody('id')"),
  jsonSchema: fn(
    '(schema[, ajvOptions])',
    'The JSON body against a JSON Schema (Ajv).\npm.response.to.have.jsonSchema(schema)',
  ),
  body: fn('(text)'),
})
const be = ns('be', {
  ok: prop('2xx'),
  success: prop('2xx'),
  error: prop('4xx or 5xx'),
  clientError: prop('4xx'),
  serverError: prop('5xx'),
  json: prop('a JSON body'),
})
const assertions = ns('response assertions', { have, be, not: ns('negates what follows', { have, be }) })

const pm: ApiEntry = ns('Postman script API', {
  test: fn(
    '(name, fn)',
    "Records a test: passes unless fn throws.\npm.test('status is 200', () => pm.response.to.have.status(200))",
    'test(',
  ),
  expect: fn('(value) → assertion', "chai's expect: pm.expect(json.id).to.be.a('number')", 'expect('),
  response: ns('the response (post-response scripts)', {
    code: prop('status code, e.g. 200'),
    status: prop("reason phrase, e.g. 'OK'"),
    headers: headerList,
    json: fn('() → object', 'The body parsed as JSON (throws when it is not).', 'json()'),
    text: fn('() → string', 'The body as text.', 'text()'),
    responseTime: prop('ms from sending to the whole response'),
    responseSize: prop('bytes'),
    to: assertions,
  }),
  request: ns('the request (a pre-request script may change it)', {
    url: ns('the URL', { toString: fn('() → string'), getQueryString: fn('() → string') }),
    method: prop("e.g. 'GET'"),
    headers: ns('the headers', {
      ...headerList.members,
      add: fn('({ key, value })'),
      upsert: fn('({ key, value })', 'Sets a header, replacing one of that name.'),
      remove: fn('(name)'),
    }),
    body: prop('the body ({ mode, raw, … })'),
    auth: prop('the auth'),
  }),
  environment: variableScope('the active environment'),
  collectionVariables: variableScope("the collection's variables"),
  variables: variableScope('every scope (the narrowest wins); set writes a local variable'),
  globals: variableScope('the globals'),
  iterationData: variableScope("the run's current data row"),
  info: ns('where the script runs', {
    requestName: prop('the request'),
    requestId: prop('its path in the collection'),
    eventName: prop("'prerequest' or 'test'"),
    iteration: prop('0-based'),
    iterationCount: prop('iterations in the run'),
  }),
  sendRequest: fn(
    '(request[, callback]) → Promise',
    "Sends a request through the engine (shown on the timeline under this one).\npm.sendRequest('http://…', (err, res) => { … }) or await pm.sendRequest({ url, method, header, body })",
    'sendRequest(',
  ),
  execution: ns('the run', {
    setNextRequest: fn('(name | null)', 'In a run: which request goes next (null stops the run).'),
    skipRequest: fn('()', 'Pre-request: the request is not sent.'),
  }),
  cookies: ns("the cookies for the request's URL", {
    get: fn('(name) → value'),
    has: fn('(name) → boolean'),
    toObject: fn('() → object'),
    jar: fn(
      '() → jar',
      "The engine's cookie jar: get(url, name, cb), getAll(url, cb), set(url, name, value, cb), unset(url, name, cb), clear(url, cb)",
      'jar()',
    ),
  }),
})

const consoleApi: ApiEntry = ns('shown in the console panel of the request', {
  log: fn('(...values)', undefined, 'log('),
  info: fn('(...values)', undefined, 'info('),
  warn: fn('(...values)', undefined, 'warn('),
  error: fn('(...values)', undefined, 'error('),
  debug: fn('(...values)', undefined, 'debug('),
})

const bru: ApiEntry = ns('Bruno script API', {
  getVar: fn('(name) → value', 'A runtime variable.'),
  setVar: fn('(name, value)', 'Sets a runtime variable.'),
  getEnvVar: fn('(name) → value'),
  setEnvVar: fn('(name, value)'),
  getProcessEnv: fn('(name) → undefined', 'The sandbox has no process environment.'),
  setNextRequest: fn('(name | null)'),
  sendRequest: fn('(request[, callback]) → Promise'),
})

/** Bruno's request and response objects in its scripts. */
const bruReq: ApiEntry = ns('the request (Bruno)', {
  getUrl: fn('()'),
  setUrl: fn('(url)'),
  getMethod: fn('()'),
  setMethod: fn('(method)'),
  getHeader: fn('(name)'),
  setHeader: fn('(name, value)'),
  getBody: fn('()'),
  setBody: fn('(body)'),
})
const bruRes: ApiEntry = ns('the response (Bruno)', {
  getStatus: fn('()'),
  getHeader: fn('(name)'),
  getHeaders: fn('()'),
  getBody: fn('()'),
  getResponseTime: fn('()'),
  status: prop('status code'),
  body: prop('parsed body'),
})

/** Names at the top of a script: always Postman's and the console, Bruno's where the script already uses it. */
export function topLevelApi(bruno: boolean): Readonly<Record<string, ApiEntry>> {
  return {
    pm,
    console: consoleApi,
    postman: ns('legacy Postman API', {
      setNextRequest: fn('(name | null)'),
      setEnvironmentVariable: fn('(name, value)'),
      getEnvironmentVariable: fn('(name)'),
      setGlobalVariable: fn('(name, value)'),
      getGlobalVariable: fn('(name)'),
      clearEnvironmentVariable: fn('(name)'),
    }),
    tests: { type: 'variable', detail: "legacy: tests['name'] = condition" },
    responseBody: { type: 'variable', detail: 'legacy: the body as text' },
    responseCode: { type: 'variable', detail: 'legacy: { code, name }' },
    responseHeaders: { type: 'variable', detail: 'legacy: the headers as an object' },
    responseTime: { type: 'variable', detail: 'legacy: ms' },
    require: fn(
      "('crypto-js' | 'lodash' | 'uuid' | 'moment' | 'chai' | 'ajv' | 'tv4')",
      "The libraries Postman's sandbox offers.",
      'require(',
    ),
    tv4: ns('legacy JSON Schema validator', {
      validate: fn('(data, schema) → boolean', 'tv4.error says why when false.'),
      validateResult: fn('(data, schema) → { valid, error }'),
    }),
    atob: fn('(base64) → string'),
    btoa: fn('(text) → base64'),
    ...(bruno
      ? {
          bru,
          req: bruReq,
          res: bruRes,
          test: fn('(name, fn)', 'Bruno: records a test.', 'test('),
          expect: fn('(value) → assertion', "chai's expect", 'expect('),
        }
      : {}),
  }
}
