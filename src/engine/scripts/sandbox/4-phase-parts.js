/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 4: a phase's console, tests, timers and pm.sendRequest (scopes: 4-scopes.js).
function makeConsole(phase) {
  var out = {}
  ;['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
    out[level] = function () {
      var limits = phase.limits
      if (phase.console.length >= limits.consoleLines) {
        phase.droppedConsole++
        return
      }
      var text = cutText(Array.prototype.map.call(arguments, str).join(' '), limits.lineChars)
      phase.console.push({ level: level, text: text, at: Date.now() - phase.began, where: phase.current })
    }
  })
  out.trace = out.debug
  return out
}

// `at` is the script that called pm.test: a test that ends later (done, a promise) ends while another runs.
function record(phase, name, passed, error, skipped, at) {
  if (phase.tests.length >= phase.limits.tests) {
    phase.droppedTests++
    return
  }
  // A test's name and message are cut as a console line is: they go back to the host, and onto the timeline.
  var max = phase.limits.lineChars
  var t = { name: cutText(name, max), passed: passed, where: at === undefined ? phase.current : at }
  if (error !== undefined) t.error = cutText(error, max)
  if (skipped) t.skipped = true
  phase.tests.push(t)
}
function message(e, phase) {
  if (e && typeof e === 'object' && 'message' in e) {
    var text = (e.name && e.name !== 'Error' ? e.name + ': ' : '') + e.message
    // QuickJS says only "stack overflow": say which stack, so a deep value or recursion reads as the limit it is.
    if (phase && isStackOverflow(e))
      text += " (deeper than the sandbox's " + phase.limits.stackKb + ' KB stack allows)'
    return text
  }
  return str(e)
}

// A test stopped by the sandbox's memory fails, and so does its phase: the host then gives the next script a fresh
// sandbox instead of this full one. (QuickJS throws null when it has no memory left to make the error.)
function outOfMemory(phase, e) {
  if (e === null || (e instanceof Error && e.name === 'InternalError' && e.message === 'out of memory'))
    noteError(phase, e === null ? new InternalErrorLike() : e)
}
function InternalErrorLike() {
  this.name = 'InternalError'
  this.message = 'out of memory'
}

function makeTest(phase) {
  var test = function (name, fn) {
    if (typeof fn !== 'function') return record(phase, name, true)
    var at = phase.current
    // A test taking `done` ends when it calls it.
    if (fn.length > 0) {
      phase.pendingTests++
      var settled = false
      var done = function (err) {
        if (settled) return
        settled = true
        phase.pendingTests--
        record(
          phase,
          name,
          err === undefined || err === null,
          err ? message(err, phase) : undefined,
          false,
          at,
        )
      }
      try {
        fn(done)
      } catch (e) {
        outOfMemory(phase, e)
        done(e)
      }
      return
    }
    try {
      var r = fn()
      if (r && typeof r.then === 'function') {
        phase.pendingTests++
        r.then(
          function () {
            phase.pendingTests--
            record(phase, name, true, undefined, false, at)
          },
          function (e) {
            phase.pendingTests--
            record(phase, name, false, message(e, phase), false, at)
          },
        )
        return
      }
      record(phase, name, true)
    } catch (e) {
      outOfMemory(phase, e)
      record(phase, name, false, message(e, phase))
    }
  }
  test.skip = function (name) {
    record(phase, name, true, undefined, true)
  }
  return test
}

function expect() {
  var c = chai()
  return c.expect.apply(c, arguments)
}

function makeTimers(phase) {
  function add(fn, ms, args, repeat) {
    if (typeof fn !== 'function') throw new TypeError('setTimeout: the callback must be a function')
    var wait = Math.max(0, Number(ms) || 0)
    if (phase.timerCount >= phase.limits.timers)
      throw new RangeError('setTimeout: more than ' + phase.limits.timers + ' timers in one script phase')
    if (phase.timerWait + wait > phase.limits.timerWaitMs)
      throw new RangeError(
        'setTimeout: timers would wait more than ' + phase.limits.timerWaitMs + ' ms in all',
      )
    phase.timerCount++
    phase.timerWait += wait
    var id = phase.nextTimer++
    if (!phase.timers) phase.timers = new Map()
    phase.timers.set(id, { fn: fn, args: args, ms: wait, repeat: repeat })
    host.timer(phase.id, id, wait)
    return id
  }
  return {
    setTimeout: function (fn, ms) {
      return add(fn, ms, Array.prototype.slice.call(arguments, 2), false)
    },
    setInterval: function (fn, ms) {
      return add(fn, ms, Array.prototype.slice.call(arguments, 2), true)
    },
    clearTimeout: function (id) {
      if (phase.timers && phase.timers.delete(id)) host.clear(phase.id, id)
    },
  }
}

function toSendRequest(phase, req) {
  if (typeof req === 'string') req = { url: req }
  if (!req || typeof req !== 'object') throw new TypeError('pm.sendRequest: pass a URL or a request object')
  var url =
    typeof req.url === 'string'
      ? req.url
      : req.url && typeof req.url.toString === 'function'
        ? req.url.toString()
        : ''
  var headers = []
  var h = req.header || req.headers
  if (Array.isArray(h)) headers = h.map(kv)
  else if (h && typeof h.all === 'function') headers = h.all().map(kv)
  else if (h && typeof h === 'object')
    headers = Object.keys(h).map(function (k) {
      return { key: k, value: str(h[k]) }
    })
  var body = { mode: 'none' }
  var b = req.body
  if (typeof b === 'string') body = { mode: 'raw', raw: b, language: 'text' }
  else if (b && b.mode === 'raw') body = { mode: 'raw', raw: str(b.raw), language: 'text' }
  else if (b && b.mode === 'urlencoded')
    body = { mode: 'urlencoded', urlencoded: (b.urlencoded || []).map(kv) }
  else if (b && b.mode)
    throw new Error('pm.sendRequest: a ' + b.mode + ' body is not supported (raw and urlencoded are)')
  return {
    method: String(req.method || 'GET').toUpperCase(),
    url: replaceIn(phase, url),
    headers: headers.map(function (x) {
      return { key: x.key, value: replaceIn(phase, x.value), disabled: x.disabled }
    }),
    body: body.mode === 'raw' ? { mode: 'raw', raw: replaceIn(phase, body.raw), language: 'text' } : body,
    auth: { type: 'none' },
  }
}

var SEND_SHARE = 4

function makeSendRequest(phase) {
  return function sendRequest(req, cb) {
    if (phase.sendCount >= phase.limits.sendRequests)
      throw new RangeError(
        'pm.sendRequest: more than ' + phase.limits.sendRequests + ' requests in one script phase',
      )
    phase.sendRead = []
    var out
    try {
      out = toSendRequest(phase, req)
    } finally {
      var emptyRead = phase.sendRead
      phase.sendRead = null
    }
    // Watched secrets its {{names}} filled in with '' (no value on this machine): the host refuses or notes it.
    if (emptyRead.length > 0) out.emptyRead = emptyRead
    var json = stringifyJSON(out)
    // What a phase's requests carry out, all together, is kept to a quarter of its memory (as a body it reads).
    var limit = (phase.limits.memoryMb * 1048576) / SEND_SHARE
    if (phase.sendChars + json.length > limit)
      throw new RangeError(
        'pm.sendRequest: the request (' +
          megabytes(json.length) +
          ') was not sent: with the ones before it this phase would send ' +
          megabytes(phase.sendChars + json.length) +
          ', over the ' +
          megabytes(limit) +
          ' a script phase may send, a quarter of its ' +
          phase.limits.memoryMb +
          ' MB memory (a fixed limit)',
      )
    phase.sendChars += json.length
    phase.sendCount++
    var id = phase.nextSend++
    var settle
    var promise = new Promise(function (resolve, reject) {
      settle = { resolve: resolve, reject: reject }
    })
    if (!phase.sends) phase.sends = new Map()
    phase.sends.set(id, { cb: typeof cb === 'function' ? cb : null, settle: settle })
    host.send(phase.id, id, json)
    if (typeof cb === 'function') {
      // The callback form gets no rejection to handle.
      promise.catch(function () {})
      return undefined
    }
    return promise
  }
}

function deliver(phaseId, sendId, error, responseJson) {
  var phase = phases.get(phaseId)
  if (!phase || !phase.sends) return
  var s = phase.sends.get(sendId)
  if (!s) return
  phase.sends.delete(sendId)
  var err = error ? new Error(error) : null
  // A cookie operation answers with its value (or nothing); a request with its response.
  var res = s.cookie
    ? s.cookie === 'value' && responseJson
      ? parseJSON(responseJson)
      : undefined
    : responseJson
      ? sentResponse(phase, parseJSON(responseJson))
      : null
  if (s.cb) {
    try {
      if (s.cookie === 'none') s.cb(err)
      else s.cb(err, res)
    } catch (e) {
      noteError(phase, e)
    }
  }
  if (err) s.settle.reject(err)
  else s.settle.resolve(res)
}

function noteError(phase, e) {
  if (phase.error === null)
    phase.error = { message: cutText(message(e), phase.limits.lineChars), where: phase.current }
}

function fire(phaseId, timerId) {
  var phase = phases.get(phaseId)
  if (!phase || !phase.timers) return
  var t = phase.timers.get(timerId)
  if (!t) return
  if (!t.repeat) phase.timers.delete(timerId)
  try {
    applyFn(t.fn, undefined, t.args)
  } catch (e) {
    noteError(phase, e)
  }
  if (t.repeat && phase.timers.has(timerId)) {
    if (phase.timerCount >= phase.limits.timers || phase.timerWait + t.ms > phase.limits.timerWaitMs) {
      phase.timers.delete(timerId)
      noteError(
        phase,
        new RangeError(
          'setInterval: over the timer limit of this script phase (' +
            phase.limits.timers +
            ' timers, ' +
            phase.limits.timerWaitMs +
            ' ms in all)',
        ),
      )
      return
    }
    phase.timerCount++
    phase.timerWait += t.ms
    host.timer(phase.id, timerId, t.ms)
  }
}

var PARAMS = [
  'pm',
  'postman',
  'tests',
  'responseBody',
  'responseCode',
  'responseHeaders',
  'responseTime',
  'request',
  'environment',
  'globals',
  'data',
  'iteration',
  'bru',
  'req',
  'res',
  'test',
  'expect',
  'insomnia',
  'console',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
]
var AsyncFunction = Object.getPrototypeOf(async function () {}).constructor

// A script compiled once per sandbox, taking as parameters only the APIs it names (only those are built for it).
function compile(code) {
  var made = compiled.get(code)
  if (made) return made
  if (compiled.size >= MAX_COMPILED) compiled.clear()
  var used = PARAMS.filter(function (name) {
    return new RegExp('\\b' + name + '\\b').test(code)
  })
  // In a block of its own, a script may declare names the APIs are passed in as (`const data = …`), as it may
  // in Postman, where they are globals.
  var args = used.concat(['{\n' + code + '\n}'])
  var fn = /\bawait\b/.test(code) ? applyFn(AsyncFunction, null, args) : applyFn(Function, null, args)
  made = { fn: fn, used: used }
  compiled.set(code, made)
  return made
}
