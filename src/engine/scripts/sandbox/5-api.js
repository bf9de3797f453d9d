/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 5: the APIs a script is handed (pm, the legacy globals, Bruno's bru/req/res,
// Insomnia's insomnia.*). Each part is built for a phase the first time one of its scripts reaches it and kept on
// the phase, so a phase costs what its scripts use: a `pm.test` and a `pm.environment.set` build the test
// function, the response and one scope, not the hundred closures of the whole API.

/** A part of the phase's API, built on first use. */
function part(phase, name) {
  var built = phase.built
  if (name in built) return built[name]
  var made = buildPart(phase, name)
  built[name] = made
  return made
}

function buildPart(phase, name) {
  var state = phase.state
  switch (name) {
    case 'pm':
      return new Pm(phase)
    case 'response':
      return state.response ? makeResponse(state.response) : undefined
    case 'request':
      return makeRequest(phase.holder, phase.kind === 'pre')
    case 'test':
      return makeTest(phase)
    case 'console':
      return makeConsole(phase)
    case 'timers':
      return makeTimers(phase)
    case 'environment':
    case 'collection':
    case 'globals':
    case 'data':
    case 'local':
      return new Scope(phase, name, name)
    case 'variables':
      return new Variables(phase)
    case 'info':
      return {
        eventName: phase.kind === 'pre' ? 'prerequest' : 'test',
        iteration: state.info.iteration,
        iterationCount: state.info.iterationCount,
        requestName: state.info.requestName,
        requestId: state.info.requestId,
      }
    case 'sendRequest':
      return makeSendRequest(phase)
    case 'setNext':
      return function (next) {
        phase.next = next === null || next === undefined ? null : String(next)
      }
    case 'execution':
      return {
        setNextRequest: part(phase, 'setNext'),
        skipRequest: function () {
          if (phase.kind !== 'pre')
            throw new Error('pm.execution.skipRequest() works in pre-request scripts only')
          phase.skip = true
        },
        location: [state.info.requestName],
      }
    case 'postman':
      return makePostman(phase)
    case 'bru':
      return makeBru(phase)
    case 'req':
      return makeReq(phase)
    case 'res':
      return makeRes(phase)
    case 'tests':
      phase.legacyTests = {}
      return phase.legacyTests
    case 'legacyEnv':
      return Object.assign({}, state.scopes.environment)
    case 'cookies':
      return new CookieList(phase)
    case 'vault':
      return VAULT
  }
  throw new Error('no script API part ' + name)
}

// pm: each member a getter on the prototype that builds its part on first use.
function Pm(phase) {
  this._p = phase
}
;[
  ['test', 'test'],
  ['request', 'request'],
  ['response', 'response'],
  ['environment', 'environment'],
  ['collectionVariables', 'collection'],
  ['globals', 'globals'],
  ['iterationData', 'data'],
  ['variables', 'variables'],
  ['_local', 'local'],
  ['info', 'info'],
  ['sendRequest', 'sendRequest'],
  ['execution', 'execution'],
  ['cookies', 'cookies'],
  ['vault', 'vault'],
].forEach(function (pair) {
  Object.defineProperty(Pm.prototype, pair[0], {
    enumerable: true,
    get: function () {
      return part(this._p, pair[1])
    },
  })
})
Pm.prototype.expect = expect
Pm.prototype.require = requireLib
Pm.prototype.visualizer = Object.freeze({ set: function () {}, clear: function () {} })

// pm.variables: the nearest scope wins on reads; writes go to the local scope.
function Variables(phase) {
  this._p = phase
}
Variables.prototype.get = function (k) {
  return lookup(this._p, String(k))
}
Variables.prototype.has = function (k) {
  return lookup(this._p, String(k)) !== undefined
}
Variables.prototype.set = function (k, v) {
  part(this._p, 'local').set(k, v)
}
Variables.prototype.unset = function (k) {
  part(this._p, 'local').unset(k)
}
Variables.prototype.replaceIn = function (t) {
  return replaceIn(this._p, t)
}
Variables.prototype.toObject = function () {
  var out = {}
  for (var i = ORDER.length - 1; i >= 0; i--) Object.assign(out, this._p.scopes[ORDER[i]])
  return out
}

/** The value a script's parameter `name` gets (see PARAMS). */
function param(phase, name) {
  var response
  switch (name) {
    case 'pm':
    case 'insomnia':
      return part(phase, 'pm')
    case 'postman':
    case 'tests':
    case 'bru':
    case 'req':
    case 'res':
    case 'test':
    case 'console':
      return part(phase, name)
    case 'expect':
      return expect
    case 'responseBody':
      response = part(phase, 'response')
      return response ? response.text() : undefined
    case 'responseCode':
      response = part(phase, 'response')
      return response ? { code: response.code, name: response.status, detail: response.status } : undefined
    case 'responseHeaders':
      // newman's keeps each header's own case (its pm.response.headers.toObject() does not).
      response = part(phase, 'response')
      return response ? legacyHeaders(response.headers, false) : {}
    case 'responseTime':
      response = part(phase, 'response')
      return response ? response.responseTime : undefined
    case 'request':
      return legacyRequest(phase)
    case 'environment':
      return part(phase, 'legacyEnv')
    case 'globals':
      return Object.assign({}, phase.state.scopes.globals)
    case 'data':
      return Object.assign({}, phase.state.scopes.data)
    case 'iteration':
      return phase.state.info.iteration
    case 'setTimeout':
    case 'setInterval':
    case 'clearTimeout':
      return part(phase, 'timers')[name]
    case 'clearInterval':
      return part(phase, 'timers').clearTimeout
  }
  return undefined
}
