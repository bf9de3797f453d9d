/* eslint-disable no-undef -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 4 (scopes): a phase's variable scopes, pm.variables' lookup, {{name}} filling.
// Variable scopes: reads see the phase's values, writes are recorded as changes for the host to apply.
function Scope(phase, name, label) {
  this._p = phase
  this._n = name
  this._label = label
}
Scope.prototype.get = function (k) {
  var v = this._p.scopes[this._n][k]
  noteRead(this._p, k, v)
  return v
}
Scope.prototype.has = function (k) {
  return Object.prototype.hasOwnProperty.call(this._p.scopes[this._n], k)
}
// Values keep their type (as in Postman): a number set is a number when read back, in this script and the next.
Scope.prototype.set = function (k, v) {
  if (this._n === 'data') throw new Error('pm.iterationData is read-only')
  var key = String(k)
  var val = v
  roomForVariable(this._p, this._n, key, val)
  this._p.scopes[this._n][key] = val
  var ch = change(this._p, this._n)
  ch.set[key] = val
  var at = ch.unset.indexOf(key)
  if (at >= 0) ch.unset.splice(at, 1)
}
Scope.prototype.unset = function (k) {
  if (this._n === 'data') throw new Error('pm.iterationData is read-only')
  var key = String(k)
  delete this._p.scopes[this._n][key]
  var ch = change(this._p, this._n)
  delete ch.set[key]
  if (ch.unset.indexOf(key) < 0) ch.unset.push(key)
}
Scope.prototype.clear = function () {
  Object.keys(this._p.scopes[this._n]).forEach((k) => this.unset(k))
}
Scope.prototype.toObject = function () {
  return Object.assign({}, this._p.scopes[this._n])
}
Scope.prototype.replaceIn = function (text) {
  return replaceIn(this._p, text)
}
Object.defineProperty(Scope.prototype, 'name', {
  get: function () {
    return this._label
  },
})

// The variables a script keeps (all scopes, as they go back to the host and into every later phase) take at most a
// eighth of the sandbox's memory: a set past it is refused, naming the variable, before the copies a phase makes of
// them (its report, the next phase's state) fill the sandbox, and so it never fills the host's.
var VARIABLE_SHARE = 8
var SCOPE_WORDS = { local: 'local', environment: 'environment', collection: 'collection', globals: 'global' }

function sizeOf(v) {
  if (typeof v === 'string') return v.length
  if (v === undefined || v === null || typeof v !== 'object') return 8
  try {
    var text = stringifyJSON(v)
    return typeof text === 'string' ? text.length : 8
  } catch {
    return 8
  }
}

function scopesSize(phase) {
  var total = 0
  for (var i = 0; i < ORDER.length; i++) {
    var s = phase.scopes[ORDER[i]]
    for (var k in s) if (Object.prototype.hasOwnProperty.call(s, k)) total += k.length + sizeOf(s[k])
  }
  return total
}

// Counted cheaply first (what the phase's state took, an upper bound of its variables, plus what it set since);
// added up exactly only near the limit.
function roomForVariable(phase, scope, key, val) {
  var limit = (phase.limits.memoryMb * 1048576) / VARIABLE_SHARE
  var size = key.length + sizeOf(val)
  if (phase.varBase + phase.varAdded + size <= limit) {
    phase.varAdded += size
    return
  }
  var old = phase.scopes[scope]
  var before = Object.prototype.hasOwnProperty.call(old, key) ? key.length + sizeOf(old[key]) : 0
  phase.varBase = scopesSize(phase)
  phase.varAdded = 0
  if (phase.varBase - before + size <= limit) {
    phase.varAdded = size
    return
  }
  throw new RangeError(
    'the ' +
      (SCOPE_WORDS[scope] || scope) +
      ' variable "' +
      cutText(key, 200) +
      '" (' +
      megabytes(size) +
      ') was not set: the variables would take ' +
      megabytes(phase.varBase - before + size) +
      ", over the script's " +
      megabytes(limit) +
      ' for variables, an eighth of its ' +
      phase.limits.memoryMb +
      ' MB memory (a fixed limit)',
  )
}

/** A text cut at `max` characters, saying so. */
function cutText(text, max) {
  var t = String(text)
  if (t.length <= max) return t
  return t.slice(0, max) + '… (cut at ' + max + ' characters of ' + t.length + ')'
}

function change(phase, scope) {
  var c = phase.changes[scope]
  if (!c) c = phase.changes[scope] = { set: {}, unset: [] }
  return c
}

// pm.variables: the nearest scope wins, as in Postman (local, data, environment, collection, globals).
var ORDER = ['local', 'data', 'environment', 'collection', 'globals']
function lookup(phase, k) {
  for (var i = 0; i < ORDER.length; i++) {
    var s = phase.scopes[ORDER[i]]
    if (Object.prototype.hasOwnProperty.call(s, k)) {
      noteRead(phase, k, s[k])
      return s[k]
    }
  }
  return undefined
}
// A read of a watched name (a secret with no value on this machine) that gave the script nothing: the host refuses
// the request the script builds from it where empty secrets are refused (the CLI). At most as many as watched.
// While a pm.sendRequest's {{names}} fill in, its own reads are kept too (`sendRead`): the host refuses that send.
function noteRead(phase, k, v) {
  var w = phase.watch
  if (w === null || v !== '' || !Object.prototype.hasOwnProperty.call(w, k)) return
  if (phase.read.indexOf(k) < 0) phase.read.push(k)
  if (phase.sendRead && phase.sendRead.indexOf(k) < 0) phase.sendRead.push(k)
}
function uuid4() {
  var h = '0123456789abcdef'
  var out = ''
  for (var i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) out += '-'
    else if (i === 14) out += '4'
    else if (i === 19) out += h[8 + Math.floor(Math.random() * 4)]
    else out += h[Math.floor(Math.random() * 16)]
  }
  return out
}
// A variable whose value holds {{names}} is resolved too, as Postman does (its Substitutor repeats up to 19 passes):
// at most REPLACE_DEPTH deep, so a variable naming itself stays as its braces, and at most a quarter of the memory
// (BODY_SHARE) of resolved text in one call, so variables that repeat each other stop with an error that says so.
var REPLACE_DEPTH = 19

function replaceIn(phase, text) {
  var budget = {
    left: (phase.limits.memoryMb * 1048576) / BODY_SHARE,
    from: '',
    randoms: 0,
    // Each variable's text at a depth, built once a call with what it cost: variables that repeat each other down
    // to an empty value give no text for the limit to stop, and re-expanded at every use they ran to the time limit.
    built: Object.create(null),
  }
  return replaceDeep(phase, String(text), 0, budget)
}

function replaceDeep(phase, text, depth, budget) {
  if (text.indexOf('{{') < 0) return text
  // The name is trimmed after the match: spaces matched inside and around it backtracked cubically ('{{' and
  // 1,500 spaces ran past the script's CPU time).
  return text.replace(/\{\{([^{}]*)\}\}/g, function (m, inner) {
    var name = inner.trim()
    if (name === '') return m
    if (depth === 0) budget.from = name
    var key = depth + ':' + name
    var built = budget.built[key]
    var v
    if (built !== undefined) {
      budget.left -= built.cost
      v = built.text
    } else {
      v = replaceOne(phase, name)
      if (v === undefined) return m
      var left = budget.left
      var randoms = budget.randoms
      // A random value (and what holds one) is fresh at each use, as Postman gives it.
      if (name.charAt(0) === '$') budget.randoms++
      if (depth + 1 < REPLACE_DEPTH && v.indexOf('{{') >= 0) v = replaceDeep(phase, v, depth + 1, budget)
      if (randoms === budget.randoms) budget.built[key] = { text: v, cost: left - budget.left }
    }
    budget.left -= v.length
    if (budget.left < 0) {
      throw new RangeError(
        'replaceIn: the variables expand to more than ' +
          megabytes((phase.limits.memoryMb * 1048576) / BODY_SHARE) +
          ' (starting from {{' +
          cutText(budget.from, 200) +
          "}}), a quarter of the script's " +
          phase.limits.memoryMb +
          ' MB memory (a fixed limit): check for variables that repeat each other',
      )
    }
    return v
  })
}

/**
 * One name's value as text: a dynamic or random-data one fresh, a variable's as set; undefined when none. The
 * dynamic names are a send's (DYNAMIC_NAMES in shared/template.ts, with its meanings) but `$webhook`, whose inbox
 * token belongs to one send, not to a script.
 */
function replaceOne(phase, name) {
  if (name === '$uuid' || name === '$guid' || name === '$randomUUID') return uuid4()
  if (name === '$timestamp') return String(Math.floor(Date.now() / 1000))
  if (name === '$timestampMs') return String(Date.now())
  if (name === '$isoTimestamp') return new Date().toISOString()
  if (name === '$randomInt') return String(Math.floor(Math.random() * 1001))
  // Postman's other random-data names ($randomEmail, …): one fresh value from the host's fake-data library,
  // loaded before a phase that mentions them (sandbox.ts); a name that is none stays as written.
  var fake = name.charAt(0) === '$' ? host.fake(name) : undefined
  if (typeof fake === 'string') return fake
  var v = lookup(phase, name)
  return v === undefined ? undefined : str(v)
}
