/* eslint-disable @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 1: the libraries scripts may require (evaluated on first use), atob/btoa, the globals Postman's sandbox has.
// Evaluated once in each QuickJS context, before any script: the script APIs (Postman's pm.*, the legacy
// globals, Bruno's bru/req/res, Insomnia's insomnia.*) written in plain JavaScript inside the sandbox, so a
// script's calls never cross into the host. The host drives a phase through globalThis.__fd: begin (the state as
// JSON) -> exec each script -> fire timers / deliver sendRequest answers -> end (the report as JSON). Every
// per-phase object is passed to the script as a parameter, never stored on globalThis, so phases of concurrent
// requests sharing this context do not see each other's.
// The host's functions, kept here and taken off the global object: scripts reach the host only through the APIs
// (which count their timers and requests), never by calling these themselves.
var host = {}
;[
  ['lib', '__host_lib'],
  ['libLoaded', '__host_lib_loaded'],
  ['timer', '__host_timer'],
  ['clear', '__host_clear'],
  ['send', '__host_send'],
  ['body', '__host_body'],
  ['fake', '__host_fake'],
].forEach(function (pair) {
  host[pair[0]] = globalThis[pair[1]]
  delete globalThis[pair[1]]
})
var libs = {}
// A library that reads the global it is also offered as (lodash reads `_` while it loads) gets undefined.
var loading = {}
var compiled = new Map()
var phases = new Map()
var MAX_COMPILED = 500
// What carries a phase's state in and out, taken before any script runs: a script that replaces JSON.parse or
// Function.prototype.apply changes them for its own run's scripts (as in Postman), never how its report reads.
var parseJSON = JSON.parse
var stringifyJSON = JSON.stringify
var applyFn = Reflect.apply

function requireLib(name) {
  var key = String(name)
  if (key === 'atob') return atobImpl
  if (key === 'btoa') return btoaImpl
  if (Object.prototype.hasOwnProperty.call(libs, key)) return libs[key]
  if (loading[key]) return undefined
  var src = host.lib(key)
  if (src === null)
    throw new RangeError(
      "require('" + key + "'): no room left in the sandbox's memory to load it (out of memory)",
    )
  if (typeof src !== 'string') {
    throw new Error(
      "require('" +
        key +
        "'): not available in Flightdeck's sandbox (it offers crypto-js, lodash, uuid, moment, chai, ajv, tv4, atob, btoa)",
    )
  }
  loading[key] = true
  var began = Date.now()
  try {
    var made = (0, eval)(src + '\n;__fd_lib')
  } finally {
    delete loading[key]
    // A library's first evaluation (Ajv's takes most of a second) is the sandbox's, not the script's CPU time.
    host.libLoaded(Date.now() - began)
  }
  if (key === 'ajv') made = sandboxAjv(made)
  if (key === 'chai') addJsonSchema(made)
  libs[key] = made
  return made
}

// Ajv as Postman's sandbox offers it (Ajv 6): no strict mode (unknown keywords are ignored), the common string
// formats checked, a `$schema` other than draft-07 refused as Ajv 6 refuses it; it logs nowhere unless given a
// logger (the sandbox has no global console).
var FORMATS = {
  date: /^\d\d\d\d-[0-1]\d-[0-3]\d$/,
  time: /^(?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)?$/i,
  'date-time':
    /^\d\d\d\d-[0-1]\d-[0-3]\d[t\s](?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i,
  uri: /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/)?[^\s]*$/i,
  email:
    /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
  hostname:
    /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?$/i,
  ipv4: /^(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)$/,
  uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
}
var DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/
function knownMeta(schema) {
  var meta = schema && typeof schema === 'object' ? schema.$schema : undefined
  if (typeof meta === 'string' && !DRAFT_07.test(meta))
    throw new Error('no schema with key or ref "' + meta + '"')
}
function sandboxAjv(lib) {
  var Real = lib.default || lib
  function Ajv(options) {
    // Schemas are not checked against their meta-schema (compiling it took most of a second per Ajv in the
    // sandbox); the one thing that check refused in Postman, a `$schema` Ajv does not know, is refused here.
    var ajv = new Real(Object.assign({ strict: false, logger: false, validateSchema: false }, options))
    Object.keys(FORMATS).forEach(function (name) {
      ajv.addFormat(name, FORMATS[name])
    })
    var compile = ajv.compile
    var validate = ajv.validate
    ajv.compile = function (schema) {
      knownMeta(schema)
      return applyFn(compile, ajv, arguments)
    }
    ajv.validate = function (schema) {
      knownMeta(schema)
      return applyFn(validate, ajv, arguments)
    }
    return ajv
  }
  Ajv.prototype = Real.prototype
  Ajv.default = Ajv
  Ajv.Ajv = Ajv
  return Ajv
}

// Validators compiled per schema (and options) once per sandbox: a run checks the same schema on every response.
var schemaValidators = new Map()
var MAX_SCHEMA_VALIDATORS = 100
function schemaErrors(schema, options, data) {
  var key = stringifyJSON([schema, options || null])
  var validate = schemaValidators.get(key)
  if (!validate) {
    var Ajv = requireLib('ajv')
    var ajv = new Ajv(Object.assign({ allErrors: true }, options))
    validate = { fn: ajv.compile(schema), ajv: ajv }
    if (schemaValidators.size >= MAX_SCHEMA_VALIDATORS) schemaValidators.clear()
    schemaValidators.set(key, validate)
  }
  return validate.fn(data) ? null : validate.ajv.errorsText(validate.fn.errors)
}
var SCHEMA_FAILED = 'expected data to satisfy schema but found following errors: \n'

// pm.expect(value).to.have.jsonSchema(schema[, ajvOptions]), as Postman's chai has it.
function addJsonSchema(chaiLib) {
  chaiLib.Assertion.addMethod('jsonSchema', function (schema, options) {
    var errors = schemaErrors(schema, options, this._obj)
    this.assert(errors === null, SCHEMA_FAILED + errors, 'expected data to not satisfy schema')
  })
}

var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
function btoaImpl(input) {
  var s = String(input)
  var out = ''
  for (var i = 0; i < s.length; i += 3) {
    var a = s.charCodeAt(i)
    var b = s.charCodeAt(i + 1)
    var c = s.charCodeAt(i + 2)
    if (a > 255 || b > 255 || c > 255) throw new Error('btoa: the string has characters outside Latin-1')
    var n = (a << 16) | ((b || 0) << 8) | (c || 0)
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63]
    out += i + 1 < s.length ? B64[(n >> 6) & 63] : '='
    out += i + 2 < s.length ? B64[n & 63] : '='
  }
  return out
}
function atobImpl(input) {
  var s = String(input).replace(/[\s=]+/g, '')
  var out = ''
  var bits = 0
  var acc = 0
  for (var i = 0; i < s.length; i++) {
    var v = B64.indexOf(s[i])
    if (v < 0) throw new Error('atob: not base64')
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out += String.fromCharCode((acc >> bits) & 255)
    }
  }
  return out
}

// Libraries Postman's sandbox has as globals (legacy scripts use them without require).
var lazyGlobals = { _: 'lodash', CryptoJS: 'crypto-js', moment: 'moment', tv4: 'tv4' }
Object.keys(lazyGlobals).forEach(function (g) {
  Object.defineProperty(globalThis, g, {
    configurable: true,
    get: function () {
      return requireLib(lazyGlobals[g])
    },
  })
})
globalThis.atob = atobImpl
globalThis.btoa = btoaImpl
globalThis.require = requireLib
// uuid and crypto-js look for a random source; the sandbox has no host crypto, so this is Math.random.
globalThis.crypto = {
  getRandomValues: function (arr) {
    for (var i = 0; i < arr.length; i++) arr[i] = Math.floor(Math.random() * 256)
    return arr
  },
}

function chai() {
  return requireLib('chai')
}

function str(v) {
  if (v === undefined) return 'undefined'
  if (v === null) return 'null'
  if (typeof v === 'string') return v
  if (typeof v === 'object') {
    try {
      return stringifyJSON(v)
    } catch {
      return String(v)
    }
  }
  return String(v)
}
