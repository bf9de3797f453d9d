/* eslint-disable no-undef -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 5: a phase: begin, the script APIs handed to each script, exec, end; globalThis.__fd.
// A phase starts with its state (the host picks its id) and runs its scripts in order until one leaves work
// behind (timers, sendRequests): `begin` and `go` answer 0 when every script ran and nothing is outstanding,
// 1 when the host must drain and call `go` again. One call for a plain script.
function begin(phaseId, stateJson) {
  var state = parseJSON(stateJson)
  var phase = {
    id: phaseId,
    scripts: state.scripts,
    cursor: 0,
    began: Date.now(),
    kind: state.phase,
    limits: state.limits,
    scopes: state.scopes,
    changes: {},
    tests: [],
    console: [],
    droppedConsole: 0,
    droppedTests: 0,
    pendingTests: 0,
    timers: new Map(),
    nextTimer: 1,
    timerCount: 0,
    timerWait: 0,
    sends: new Map(),
    nextSend: 1,
    sendCount: 0,
    error: null,
    current: '',
    next: undefined,
    skip: false,
    holder: {
      method: state.request.method,
      url: state.request.url,
      headers: state.request.headers,
      body: state.request.body,
      auth: state.request.auth,
      changed: false,
    },
  }
  phases.set(phase.id, phase)
  phase.api = api(phase, state)
  return go(phase.id)
}

function go(phaseId) {
  var phase = phases.get(phaseId)
  if (!phase) return 0
  while (phase.cursor < phase.scripts.length) {
    if (phase.timers.size + phase.sends.size > 0) return 1
    var script = phase.scripts[phase.cursor++]
    exec(phase, script.code, script.where)
  }
  return phase.timers.size + phase.sends.size > 0 ? 1 : 0
}

/** Which script was running (for a stop the script could not catch: time, memory). */
function where(phaseId) {
  var phase = phases.get(phaseId)
  return phase ? phase.current : ''
}

function api(phase, state) {
  var r = state.response
  var response = r ? makeResponse(r) : undefined
  // pm.request is built on first use (a test script seldom reads it).
  var built
  var requestOf = function () {
    return built || (built = makeRequest(phase.holder, state.phase === 'pre'))
  }
  var consoleApi = makeConsole(phase)
  var test = makeTest(phase)
  var timers = makeTimers(phase)
  var env = new Scope(phase, 'environment', 'environment')
  var setNext = function (name) {
    phase.next = name === null || name === undefined ? null : String(name)
  }
  var pm = {
    test: test,
    expect: expect,
    get request() {
      return requestOf()
    },
    response: response,
    environment: env,
    collectionVariables: new Scope(phase, 'collection', 'collection'),
    globals: new Scope(phase, 'globals', 'globals'),
    iterationData: new Scope(phase, 'data', 'data'),
    variables: {
      get: function (k) {
        return lookup(phase, String(k))
      },
      has: function (k) {
        return lookup(phase, String(k)) !== undefined
      },
      set: function (k, v) {
        pm._local.set(k, v)
      },
      unset: function (k) {
        pm._local.unset(k)
      },
      replaceIn: function (t) {
        return replaceIn(phase, t)
      },
      toObject: function () {
        var out = {}
        for (var i = ORDER.length - 1; i >= 0; i--) Object.assign(out, phase.scopes[ORDER[i]])
        return out
      },
    },
    _local: new Scope(phase, 'local', 'local'),
    info: {
      eventName: state.phase === 'pre' ? 'prerequest' : 'test',
      iteration: state.info.iteration,
      iterationCount: state.info.iterationCount,
      requestName: state.info.requestName,
      requestId: state.info.requestId,
    },
    sendRequest: makeSendRequest(phase),
    execution: {
      setNextRequest: setNext,
      skipRequest: function () {
        if (state.phase !== 'pre')
          throw new Error('pm.execution.skipRequest() works in pre-request scripts only')
        phase.skip = true
      },
      location: [state.info.requestName],
    },
    visualizer: { set: function () {}, clear: function () {} },
    require: requireLib,
  }
  if (response) pm.response = response
  var legacyEnv = Object.assign({}, state.scopes.environment)
  var postman = {
    setNextRequest: setNext,
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
      pm.globals.set(k, v)
    },
    getGlobalVariable: function (k) {
      return pm.globals.get(k)
    },
    clearGlobalVariable: function (k) {
      pm.globals.unset(k)
    },
    getResponseHeader: function (k) {
      return response ? response.headers.get(k) : undefined
    },
  }
  var bru = {
    setVar: function (k, v) {
      pm._local.set(k, v)
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
    setNextRequest: setNext,
    sendRequest: pm.sendRequest,
  }
  var req = {
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
      return requestOf().headers.toObject()
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
      return state.info.requestName
    },
  }
  var res
  if (response) {
    var bodyOf = function () {
      try {
        return response.json()
      } catch {
        return response.text()
      }
    }
    res = {
      status: response.code,
      statusText: response.status,
      headers: response.headers.toObject(),
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
        return response.headers.toObject()
      },
      getBody: bodyOf,
      getResponseTime: function () {
        return response.responseTime
      },
    }
    Object.defineProperty(res, 'body', { enumerable: true, get: bodyOf })
  }
  var tests = {}
  phase.legacyTests = tests
  // The script's parameters, each built only when a script names it (see compile's `uses`).
  var params = {
    pm: function () {
      return pm
    },
    postman: function () {
      return postman
    },
    tests: function () {
      return tests
    },
    responseBody: function () {
      return response ? response.text() : undefined
    },
    responseCode: function () {
      return response ? { code: response.code, name: response.status, detail: response.status } : undefined
    },
    responseHeaders: function () {
      return response ? response.headers.toObject() : {}
    },
    responseTime: function () {
      return response ? response.responseTime : undefined
    },
    request: function () {
      return {
        url: phase.holder.url,
        method: phase.holder.method,
        headers: requestOf().headers.toObject(),
        data: requestOf().body.toString(),
        name: state.info.requestName,
      }
    },
    environment: function () {
      return legacyEnv
    },
    globals: function () {
      return Object.assign({}, state.scopes.globals)
    },
    data: function () {
      return Object.assign({}, state.scopes.data)
    },
    iteration: function () {
      return state.info.iteration
    },
    bru: function () {
      return bru
    },
    req: function () {
      return req
    },
    res: function () {
      return res
    },
    test: function () {
      return test
    },
    expect: function () {
      return expect
    },
    insomnia: function () {
      return pm
    },
    console: function () {
      return consoleApi
    },
    setTimeout: function () {
      return timers.setTimeout
    },
    setInterval: function () {
      return timers.setInterval
    },
    clearTimeout: function () {
      return timers.clearTimeout
    },
    clearInterval: function () {
      return timers.clearTimeout
    },
  }
  return function (uses) {
    var args = []
    for (var i = 0; i < PARAMS.length; i++) args.push(uses[i] ? params[PARAMS[i]]() : undefined)
    return args
  }
}

function exec(phase, code, where) {
  phase.current = where
  var tests = phase.legacyTests
  Object.keys(tests).forEach(function (k) {
    delete tests[k]
  })
  try {
    var made = compile(code)
    var r = applyFn(made.fn, undefined, phase.api(made.uses))
    if (r && typeof r.then === 'function')
      r.then(undefined, function (e) {
        noteError(phase, e)
      })
  } catch (e) {
    noteError(phase, e)
  }
  // tests["name"] = bool: read once the script's synchronous part has run.
  Object.keys(tests).forEach(function (k) {
    record(phase, k, Boolean(tests[k]), tests[k] ? undefined : 'tests["' + k + '"] was false')
  })
}

function end(phaseId) {
  var phase = phases.get(phaseId)
  if (!phase) return '{}'
  phases.delete(phaseId)
  if (phase.pendingTests > 0 && phase.error === null)
    phase.error = {
      message: phase.pendingTests + ' test(s) did not finish (their done() or promise never came)',
      where: phase.current,
    }
  var out = {
    tests: phase.tests,
    console: phase.console,
    droppedConsole: phase.droppedConsole,
    droppedTests: phase.droppedTests,
    changes: phase.changes,
    error: phase.error,
    skip: phase.skip,
  }
  if (phase.next !== undefined) out.next = phase.next
  if (phase.holder.changed)
    out.request = {
      method: phase.holder.method,
      url: phase.holder.url,
      headers: phase.holder.headers,
      body: phase.holder.body,
      auth: phase.holder.auth,
    }
  return stringifyJSON(out)
}

function drop(phaseId) {
  phases.delete(phaseId)
}

Object.defineProperty(globalThis, '__fd', {
  value: Object.freeze({
    begin: begin,
    go: go,
    where: where,
    fire: fire,
    deliver: deliver,
    end: end,
    drop: drop,
  }),
})
