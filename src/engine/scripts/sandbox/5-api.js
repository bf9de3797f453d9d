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

function makePostman(phase) {
  var env = part(phase, 'environment')
  var globals = part(phase, 'globals')
  return {
    setNextRequest: part(phase, 'setNext'),
    setEnvironmentVariable: function (k, v) {
      env.set(k, v)
    },
    getEnvironmentVariable: function (k) {
      return env.get(k)
    },
    clearEnvironmentVariable: function (k) {
      env.unset(k)
    },
    setGlobalVariable: function (k, v) {
      globals.set(k, v)
    },
    getGlobalVariable: function (k) {
      return globals.get(k)
    },
    clearGlobalVariable: function (k) {
      globals.unset(k)
    },
    getResponseHeader: function (k) {
      var response = part(phase, 'response')
      return response ? response.headers.get(k) : undefined
    },
  }
}

function makeBru(phase) {
  var env = part(phase, 'environment')
  return {
    setVar: function (k, v) {
      part(phase, 'local').set(k, v)
    },
    getVar: function (k) {
      return phase.scopes.local[k]
    },
    setEnvVar: function (k, v) {
      env.set(k, v)
    },
    getEnvVar: function (k) {
      return env.get(k)
    },
    getCollectionVar: function (k) {
      return phase.scopes.collection[k]
    },
    getProcessEnv: function () {
      return undefined
    },
    interpolate: function (t) {
      return replaceIn(phase, t)
    },
    setNextRequest: part(phase, 'setNext'),
    sendRequest: part(phase, 'sendRequest'),
  }
}

function makeReq(phase) {
  var requestOf = function () {
    return part(phase, 'request')
  }
  return {
    getUrl: function () {
      return phase.holder.url
    },
    setUrl: function (u) {
      requestOf().url.update(u)
    },
    getMethod: function () {
      return phase.holder.method
    },
    setMethod: function (m) {
      requestOf().method = m
    },
    getHeader: function (k) {
      return requestOf().headers.get(k)
    },
    getHeaders: function () {
      return legacyHeaders(requestOf().headers, false)
    },
    setHeader: function (k, v) {
      requestOf().headers.upsert({ key: k, value: v })
    },
    deleteHeader: function (k) {
      requestOf().headers.remove(k)
    },
    getBody: function () {
      var t = requestOf().body.toString()
      try {
        return phase.holder.body.language === 'json' ? parseJSON(t) : t
      } catch {
        return t
      }
    },
    setBody: function (b) {
      requestOf().body.update(typeof b === 'string' ? b : stringifyJSON(b))
    },
    getName: function () {
      return phase.state.info.requestName
    },
  }
}

function makeRes(phase) {
  var response = part(phase, 'response')
  if (!response) return undefined
  var bodyOf = function () {
    try {
      return response.json()
    } catch {
      return response.text()
    }
  }
  var res = {
    status: response.code,
    statusText: response.status,
    headers: legacyHeaders(response.headers, false),
    responseTime: response.responseTime,
    getStatus: function () {
      return response.code
    },
    getStatusText: function () {
      return response.status
    },
    getHeader: function (k) {
      return response.headers.get(k)
    },
    getHeaders: function () {
      return legacyHeaders(response.headers, false)
    },
    getBody: bodyOf,
    getResponseTime: function () {
      return response.responseTime
    },
  }
  Object.defineProperty(res, 'body', { enumerable: true, get: bodyOf })
  return res
}

/** The legacy globals' headers as newman gives them: enabled ones, by name (`lower`: in lower case). */
function legacyHeaders(list, lower) {
  var out = {}
  list._enabled().forEach(function (h) {
    out[lower ? String(h.key).toLowerCase() : h.key] = h.value
  })
  return out
}

/** The legacy `request`; its `data` read on first use (a big body is fetched only then, see 2-bodies.js). */
function legacyRequest(phase) {
  var out = {
    url: phase.holder.url,
    method: phase.holder.method,
    headers: legacyHeaders(part(phase, 'request').headers, true),
  }
  var data
  var read = false
  Object.defineProperty(out, 'data', {
    configurable: true,
    enumerable: true,
    get: function () {
      if (!read) data = legacyData(phase.holder.body)
      read = true
      return data
    },
    set: function (v) {
      data = v
      read = true
    },
  })
  out.name = phase.state.info.requestName
  return out
}

/** The legacy `request.data`: a form's fields by name, a raw body's text, {} for none (as newman's). */
function legacyData(body) {
  if (body.mode === 'raw') return body.raw
  var out = {}
  if (body.mode === 'urlencoded')
    body.urlencoded.forEach(function (f) {
      if (f.disabled !== true) out[f.key] = f.value
    })
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

// pm.cookies: the jar's cookies for the request's URL (a response's own Set-Cookie included), as a list.
function CookieList(phase) {
  var items = (phase.state.cookies || []).map(function (c) {
    return {
      key: c.name,
      value: c.value,
      name: c.name,
      domain: c.domain,
      path: c.path,
      expires: c.expires,
      httpOnly: c.httpOnly,
      secure: c.secure,
    }
  })
  PropertyList.call(this, items, null, false)
  this._p = phase
}
CookieList.prototype = Object.create(PropertyList.prototype)
CookieList.prototype.constructor = CookieList
CookieList.prototype.jar = function () {
  return new ScriptCookieJar(this._p)
}

// pm.cookies.jar(): the engine's cookie jar (the one later requests of the run, or the app, send cookies from);
// each operation answers its callback (or the promise it returns) once the engine has done it.
var MAX_COOKIE_OPS = 100
function ScriptCookieJar(phase) {
  this._p = phase
}
function cookieAsk(phase, op, cb, shape) {
  if (phase.cookieOps >= MAX_COOKIE_OPS)
    throw new RangeError(
      'pm.cookies.jar(): more than ' + MAX_COOKIE_OPS + ' cookie operations in one script phase',
    )
  phase.cookieOps++
  var id = phase.nextSend++
  var settle
  var promise = new Promise(function (resolve, reject) {
    settle = { resolve: resolve, reject: reject }
  })
  if (!phase.sends) phase.sends = new Map()
  phase.sends.set(id, { cb: typeof cb === 'function' ? cb : null, settle: settle, cookie: shape })
  host.send(phase.id, id, stringifyJSON({ cookie: op }))
  if (typeof cb === 'function') {
    promise.catch(function () {})
    return undefined
  }
  return promise
}
function urlText(url) {
  return url && typeof url.toString === 'function' ? url.toString() : String(url)
}
ScriptCookieJar.prototype.get = function (url, name, cb) {
  return cookieAsk(this._p, { op: 'get', url: urlText(url), name: String(name) }, cb, 'value')
}
ScriptCookieJar.prototype.getAll = function (url, options, cb) {
  if (typeof options === 'function') cb = options
  return cookieAsk(this._p, { op: 'getAll', url: urlText(url) }, cb, 'value')
}
ScriptCookieJar.prototype.set = function (url, name, value, cb) {
  var cookie
  if (name && typeof name === 'object') {
    cb = value
    cookie = {
      name: String(name.name !== undefined ? name.name : name.key),
      value: str(name.value),
    }
    ;['path', 'domain', 'expires'].forEach(function (k) {
      if (name[k] !== undefined && name[k] !== null) cookie[k] = String(name[k])
    })
    if (name.httpOnly === true) cookie.httpOnly = true
    if (name.secure === true) cookie.secure = true
  } else {
    if (typeof value === 'function') {
      cb = value
      value = ''
    }
    cookie = { name: String(name), value: str(value) }
  }
  return cookieAsk(this._p, { op: 'set', url: urlText(url), cookie: cookie }, cb, 'value')
}
ScriptCookieJar.prototype.unset = function (url, name, cb) {
  return cookieAsk(this._p, { op: 'unset', url: urlText(url), name: String(name) }, cb, 'none')
}
ScriptCookieJar.prototype.clear = function (url, cb) {
  return cookieAsk(this._p, { op: 'clear', url: urlText(url) }, cb, 'none')
}

// pm.vault: Postman's vault has no counterpart here; its calls stop the script saying what to use instead.
function noVault(what) {
  return function (key) {
    throw new Error(
      'pm.vault.' +
        what +
        ": Postman's vault is not available in Flightdeck; keep the secret as a secret variable of the collection or its environment (it stays out of the collection's files) and read it with pm.variables.get('" +
        String(key) +
        "')",
    )
  }
}
var VAULT = Object.freeze({ get: noVault('get'), set: noVault('set'), unset: noVault('unset') })
