/* eslint-disable no-undef -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 3: pm.response.to.* assertions, without chai, with Postman's messages.
function fail(message) {
  var e = new Error(message)
  e.name = 'AssertionError'
  throw e
}

// pm.response.to.have.status(200), .to.be.ok, .to.not.have.header('x') …: Postman's response assertions, made
// here without chai (the common case stays cheap), with Postman's messages. Each link of the chain is a small
// object whose methods live on a shared prototype, so an assertion allocates two objects, not the whole API.
function RespTo(res, negate) {
  this._res = res
  this._neg = negate
}
function RespHave(res, negate) {
  this._res = res
  this._neg = negate
}
function RespBe(res, negate) {
  this._res = res
  this._neg = negate
}
function RespTime(res, negate) {
  this._res = res
  this._neg = negate
}

/** Passes when `ok` (or fails when negated), with Postman's message for either. */
function check(self, ok, message, negMessage) {
  if (self._neg ? ok : !ok) fail(self._neg ? negMessage : message)
}

Object.defineProperties(RespTo.prototype, {
  have: {
    get: function () {
      return new RespHave(this._res, this._neg)
    },
  },
  be: {
    get: function () {
      return new RespBe(this._res, this._neg)
    },
  },
  not: {
    get: function () {
      return new RespTo(this._res, !this._neg)
    },
  },
  to: {
    get: function () {
      return this
    },
  },
})

RespHave.prototype.status = function (want) {
  var res = this._res
  if (typeof want === 'number')
    check(
      this,
      res.code === want,
      'expected response to have status code ' + want + ' but got ' + res.code,
      'expected response to not have status code ' + want,
    )
  else
    check(
      this,
      res.status === want,
      "expected response to have status reason '" + want + "' but got '" + res.status + "'",
      "expected response to not have status reason '" + want + "'",
    )
}
RespHave.prototype.header = function (name, value) {
  var res = this._res
  var has = res.headers.has(name)
  if (arguments.length < 2)
    return check(
      this,
      has,
      "expected response to have header with key '" + name + "'",
      "expected response to not have header with key '" + name + "'",
    )
  var got = res.headers.get(name)
  check(
    this,
    got === value,
    "expected '" + name + "' response header to be '" + value + "' but got '" + got + "'",
    "expected '" + name + "' response header to not be '" + value + "'",
  )
}
RespHave.prototype.body = function (want) {
  var text = this._res.text()
  if (arguments.length === 0)
    return check(
      this,
      text !== '',
      'expected response to have content in body',
      'expected response to not have a body',
    )
  if (want instanceof RegExp)
    return check(
      this,
      want.test(text),
      'expected response body to match ' + want,
      'expected response body to not match ' + want,
    )
  check(
    this,
    text === String(want),
    "expected response body to equal '" + want + "'",
    "expected response body to not equal '" + want + "'",
  )
}
RespHave.prototype.jsonBody = function (path, value) {
  var body
  try {
    body = this._res.json()
  } catch (e) {
    return check(this, false, 'expected response body to be a valid json but got error ' + e.message, '')
  }
  if (arguments.length === 0) return check(this, true, '', 'expected response to not have a json body')
  if (typeof path === 'object' && path !== null) {
    return check(
      this,
      stringifyJSON(body) === stringifyJSON(path),
      'expected response body json to equal ' + stringifyJSON(path),
      'expected response body json to not equal ' + stringifyJSON(path),
    )
  }
  var cur = body
  String(path)
    .replace(/\[(\w+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .forEach(function (k) {
      cur = cur === undefined || cur === null ? undefined : cur[k]
    })
  if (arguments.length < 2)
    return check(
      this,
      cur !== undefined,
      "expected response body json to have path '" + path + "'",
      "expected response body json to not have path '" + path + "'",
    )
  check(
    this,
    stringifyJSON(cur) === stringifyJSON(value),
    "expected response body json at '" +
      path +
      "' to contain '" +
      str(value) +
      "' but got '" +
      str(cur) +
      "'",
    "expected response body json at '" + path + "' to not contain '" + str(value) + "'",
  )
}
// pm.response.to.have.jsonSchema(schema[, ajvOptions]): the JSON body against the schema, with Ajv.
RespHave.prototype.jsonSchema = function (schema, options) {
  var body
  try {
    body = this._res.json()
  } catch (e) {
    return check(this, false, 'expected response body to be a valid json but got error ' + e.message, '')
  }
  var errors = schemaErrors(schema, options, body)
  check(this, errors === null, SCHEMA_FAILED + errors, 'expected data to not satisfy schema')
}
Object.defineProperties(RespHave.prototype, {
  have: {
    get: function () {
      return this
    },
  },
  responseTime: {
    get: function () {
      return new RespTime(this._res, this._neg)
    },
  },
})
RespTime.prototype.below = function (n) {
  var t = this._res.responseTime
  check(
    this,
    t < n,
    'expected response time ' + t + ' to be below ' + n,
    'expected response time to not be below ' + n,
  )
}
RespTime.prototype.above = function (n) {
  var t = this._res.responseTime
  check(
    this,
    t > n,
    'expected response time ' + t + ' to be above ' + n,
    'expected response time to not be above ' + n,
  )
}

/** A status class check: `lo` is the code's hundreds digit. */
function statusClass(self, lo, name) {
  var code = self._res.code
  check(
    self,
    Math.floor(code / 100) === lo,
    'expected response code to be ' + name + ' but found ' + code,
    'expected response code to not be ' + name + ' but found ' + code,
  )
}
/** An exact status check (`to.be.notFound` …). */
function statusIs(self, want) {
  var code = self._res.code
  check(
    self,
    code === want,
    'expected response code to be ' + want + ' but found ' + code,
    'expected response code to not be ' + want,
  )
}
// Postman's `to.be.ok` is a property that asserts when read.
var BE = {
  ok: function () {
    var code = this._res.code
    check(
      this,
      code >= 200 && code < 300,
      'expected response code to be 2XX but found ' + code,
      'expected response code to not be 2XX but found ' + code,
    )
  },
  success: function () {
    statusClass(this, 2, '2XX')
  },
  info: function () {
    statusClass(this, 1, '1XX')
  },
  redirection: function () {
    statusClass(this, 3, '3XX')
  },
  clientError: function () {
    statusClass(this, 4, '4XX')
  },
  serverError: function () {
    statusClass(this, 5, '5XX')
  },
  error: function () {
    var code = this._res.code
    var c = Math.floor(code / 100)
    check(
      this,
      c === 4 || c === 5,
      'expected response code to be 4XX or 5XX but found ' + code,
      'expected response code to not be 4XX or 5XX but found ' + code,
    )
  },
  notFound: function () {
    statusIs(this, 404)
  },
  unauthorized: function () {
    statusIs(this, 401)
  },
  forbidden: function () {
    statusIs(this, 403)
  },
  badRequest: function () {
    statusIs(this, 400)
  },
  json: function () {
    var ok = true
    try {
      this._res.json()
    } catch {
      ok = false
    }
    check(
      this,
      ok,
      'expected response body to be a valid json',
      'expected response body to not be a valid json',
    )
  },
}
Object.keys(BE).forEach(function (k) {
  Object.defineProperty(RespBe.prototype, k, { enumerable: true, get: BE[k] })
})
