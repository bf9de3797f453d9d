/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 3: pm.response.to.* assertions, without chai, with Postman's messages.
function fail(message) {
  var e = new Error(message)
  e.name = 'AssertionError'
  throw e
}

// pm.response.to.have.status(200), .to.be.ok, .to.not.have.header('x') …: Postman's response assertions, made
// here without chai (the common case stays cheap), with Postman's messages.
function responseAssertions(res, negate) {
  function check(ok, message, negMessage) {
    if (negate ? ok : !ok) fail(negate ? negMessage : message)
  }
  var have = {
    status: function (want) {
      if (typeof want === 'number')
        check(
          res.code === want,
          'expected response to have status code ' + want + ' but got ' + res.code,
          'expected response to not have status code ' + want,
        )
      else
        check(
          res.status === want,
          "expected response to have status reason '" + want + "' but got '" + res.status + "'",
          "expected response to not have status reason '" + want + "'",
        )
    },
    header: function (name, value) {
      var has = res.headers.has(name)
      if (arguments.length < 2)
        return check(
          has,
          "expected response to have header with key '" + name + "'",
          "expected response to not have header with key '" + name + "'",
        )
      var got = res.headers.get(name)
      check(
        got === value,
        "expected '" + name + "' response header to be '" + value + "' but got '" + got + "'",
        "expected '" + name + "' response header to not be '" + value + "'",
      )
    },
    body: function (want) {
      var text = res.text()
      if (arguments.length === 0)
        return check(
          text !== '',
          'expected response to have content in body',
          'expected response to not have a body',
        )
      if (want instanceof RegExp)
        return check(
          want.test(text),
          'expected response body to match ' + want,
          'expected response body to not match ' + want,
        )
      check(
        text === String(want),
        "expected response body to equal '" + want + "'",
        "expected response body to not equal '" + want + "'",
      )
    },
    jsonBody: function (path, value) {
      var body
      try {
        body = res.json()
      } catch (e) {
        return check(false, 'expected response body to be a valid json but got error ' + e.message, '')
      }
      if (arguments.length === 0) return check(true, '', 'expected response to not have a json body')
      if (typeof path === 'object' && path !== null) {
        return check(
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
          cur !== undefined,
          "expected response body json to have path '" + path + "'",
          "expected response body json to not have path '" + path + "'",
        )
      check(
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
    },
    responseTime: {
      below: function (n) {
        check(
          res.responseTime < n,
          'expected response time ' + res.responseTime + ' to be below ' + n,
          'expected response time to not be below ' + n,
        )
      },
      above: function (n) {
        check(
          res.responseTime > n,
          'expected response time ' + res.responseTime + ' to be above ' + n,
          'expected response time to not be above ' + n,
        )
      },
    },
    jsonSchema: function () {
      fail("to.have.jsonSchema: JSON Schema validation is not available in Flightdeck's sandbox")
    },
  }
  var cls = function (lo, name) {
    var c = Math.floor(res.code / 100)
    return check(
      c === lo,
      'expected response code to be ' + name + ' but found ' + res.code,
      'expected response code to not be ' + name + ' but found ' + res.code,
    )
  }
  var be = {}
  var defs = {
    ok: function () {
      check(
        res.code >= 200 && res.code < 300,
        'expected response code to be 2XX but found ' + res.code,
        'expected response code to not be 2XX but found ' + res.code,
      )
    },
    success: function () {
      cls(2, '2XX')
    },
    info: function () {
      cls(1, '1XX')
    },
    redirection: function () {
      cls(3, '3XX')
    },
    clientError: function () {
      cls(4, '4XX')
    },
    serverError: function () {
      cls(5, '5XX')
    },
    error: function () {
      var c = Math.floor(res.code / 100)
      check(
        c === 4 || c === 5,
        'expected response code to be 4XX or 5XX but found ' + res.code,
        'expected response code to not be 4XX or 5XX but found ' + res.code,
      )
    },
    notFound: function () {
      check(
        res.code === 404,
        'expected response code to be 404 but found ' + res.code,
        'expected response code to not be 404',
      )
    },
    unauthorized: function () {
      check(
        res.code === 401,
        'expected response code to be 401 but found ' + res.code,
        'expected response code to not be 401',
      )
    },
    forbidden: function () {
      check(
        res.code === 403,
        'expected response code to be 403 but found ' + res.code,
        'expected response code to not be 403',
      )
    },
    badRequest: function () {
      check(
        res.code === 400,
        'expected response code to be 400 but found ' + res.code,
        'expected response code to not be 400',
      )
    },
    json: function () {
      var ok = true
      try {
        res.json()
      } catch {
        ok = false
      }
      check(ok, 'expected response body to be a valid json', 'expected response body to not be a valid json')
    },
  }
  // Postman's `to.be.ok` is a property that asserts when read.
  Object.keys(defs).forEach(function (k) {
    Object.defineProperty(be, k, { enumerable: true, get: defs[k] })
  })
  var to = {
    have: have,
    be: be,
    get not() {
      return responseAssertions(res, !negate)
    },
  }
  have.have = have
  to.to = to
  return to
}
