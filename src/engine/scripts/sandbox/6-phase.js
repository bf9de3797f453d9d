/* eslint-disable no-undef -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 6: a phase: begin, exec, end; globalThis.__fd.
// A phase starts with its state (the host picks its id) and runs its scripts in order until one leaves work
// behind (timers, sendRequests): `begin` and `go` answer 0 when every script ran and nothing is outstanding,
// 1 when the host must drain and call `go` again. One call for a plain script.
// What stays the same phase after phase is sent once per sandbox, not in every state (parsing the state was most of
// a light phase's cost): the limits (kept frozen: a script reaching its phase's insides cannot raise them for the
// phases after it), and each script's code, which later states name by id. Only syntax and functions taken before
// any script ran here: a script may replace Array.prototype.map or Object.keys for its run's later scripts.
var freeze = Object.freeze
var sentLimits = null
var sources = { __proto__: null }

function begin(phaseId, stateJson) {
  var state = parseJSON(stateJson)
  if (state.limits) sentLimits = freeze(state.limits)
  else state.limits = sentLimits
  if (state.resetSources) sources = { __proto__: null }
  if (state.sources) for (var id in state.sources) sources[id] = state.sources[id]
  // Each script's code taken now: a later state may start the list of sources again while this phase waits.
  var scripts = []
  for (var i = 0; i < state.scripts.length; i++) {
    var x = state.scripts[i]
    scripts[i] = { origin: x.origin, where: x.where, code: codeOf(x) }
  }
  state.scripts = scripts
  var phase = new Phase(phaseId, state)
  // An upper bound of the variables it brought in (see roomForVariable): what the state took.
  phase.varBase = stateJson.length
  phases.set(phase.id, phase)
  return go(phase.id)
}

function codeOf(script) {
  if (typeof script.code === 'string') return script.code
  var code = sources[script.id]
  if (typeof code !== 'string')
    throw new Error('the sandbox lost the code of script ' + script.id + ': rerun')
  return code
}

function Phase(id, state) {
  this.id = id
  this.state = state
  this.scripts = state.scripts
  this.cursor = 0
  this.began = Date.now()
  this.kind = state.phase
  this.limits = state.limits
  this.scopes = state.scopes
  this.changes = {}
  // Names whose empty reads are noted (see noteRead), as a set without a prototype; null: none watched.
  this.watch = null
  this.read = []
  // A pm.sendRequest's own empty reads, while its request is being filled in (see noteRead); null otherwise.
  this.sendRead = null
  if (state.watch) {
    this.watch = { __proto__: null }
    for (var w = 0; w < state.watch.length; w++) this.watch[String(state.watch[w])] = true
  }
  this.tests = []
  this.console = []
  this.droppedConsole = 0
  this.droppedTests = 0
  this.pendingTests = 0
  // Maps made on the first timer or pm.sendRequest (most phases have neither).
  this.timers = null
  this.nextTimer = 1
  this.timerCount = 0
  this.timerWait = 0
  this.sends = null
  this.nextSend = 1
  this.sendCount = 0
  this.sendChars = 0
  this.varBase = 0
  this.varAdded = 0
  this.cookieOps = 0
  this.error = null
  this.current = ''
  this.next = undefined
  this.skip = false
  this.legacyTests = null
  // The API parts built so far (see part()).
  this.built = Object.create(null)
  // The request comes as JSON text, read on the first use (see holder): most test scripts never look at it.
  this._holder = null
  var response = state.response
  if (response) {
    if (typeof response.lazy === 'number') lazyBody(this, 'response', response, 'body', response.lazy)
    else if (response.bodyCut === true) cutBody(this, response)
  }
}

// What pm.request (and the legacy request, Bruno's req) read and change: the state's request, parsed once.
Object.defineProperty(Phase.prototype, 'holder', {
  get: function () {
    if (this._holder) return this._holder
    var r = this.state.request
    if (typeof r === 'string') r = parseJSON(r)
    var b = r.body
    if (b && b.mode === 'raw' && typeof b.lazy === 'number') lazyBody(this, 'request', b, 'raw', b.lazy)
    else if (b && b.mode === 'urlencoded' && typeof b.lazy === 'number')
      lazyBody(this, 'request', b, 'urlencoded', b.lazy, parseJSON)
    this._holder = {
      method: r.method,
      url: r.url,
      headers: r.headers,
      body: r.body,
      auth: r.auth,
      changed: false,
    }
    return this._holder
  },
})

/** Timers and pm.sendRequests of the phase not yet done. */
function outstanding(phase) {
  return (phase.timers ? phase.timers.size : 0) + (phase.sends ? phase.sends.size : 0)
}

function go(phaseId) {
  var phase = phases.get(phaseId)
  if (!phase) return 0
  while (phase.cursor < phase.scripts.length) {
    if (outstanding(phase) > 0) return 1
    var script = phase.scripts[phase.cursor++]
    exec(phase, codeOf(script), script.where)
  }
  return outstanding(phase) > 0 ? 1 : 0
}

/** Which script was running (for a stop the script could not catch: time, memory). */
function where(phaseId) {
  var phase = phases.get(phaseId)
  return phase ? phase.current : ''
}

function exec(phase, code, where) {
  phase.current = where
  var tests = phase.legacyTests
  if (tests)
    Object.keys(tests).forEach(function (k) {
      delete tests[k]
    })
  try {
    var made = compile(code)
    var used = made.used
    var args = []
    for (var i = 0; i < used.length; i++) args.push(param(phase, used[i]))
    var r = applyFn(made.fn, undefined, args)
    if (r && typeof r.then === 'function')
      r.then(undefined, function (e) {
        noteError(phase, e)
      })
  } catch (e) {
    noteError(phase, e)
  }
  // tests["name"] = bool: read once the script's synchronous part has run.
  tests = phase.legacyTests
  if (tests)
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
  if (phase.read.length > 0) out.read = phase.read
  if (phase._holder && phase._holder.changed)
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
