/* eslint-disable @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 1: the libraries scripts may require (evaluated on first use), atob/btoa, the globals Postman's sandbox has.
/* global __host_lib */
// Evaluated once in each QuickJS context, before any script: the script APIs (Postman's pm.*, the legacy
// globals, Bruno's bru/req/res, Insomnia's insomnia.*) written in plain JavaScript inside the sandbox, so a
// script's calls never cross into the host. The host drives a phase through globalThis.__fd: begin (the state as
// JSON) -> exec each script -> fire timers / deliver sendRequest answers -> end (the report as JSON). Every
// per-phase object is passed to the script as a parameter, never stored on globalThis, so phases of concurrent
// requests sharing this context do not see each other's.
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
  var src = __host_lib(key)
  if (typeof src !== 'string') {
    throw new Error(
      "require('" +
        key +
        "'): not available in Flightdeck's sandbox (it offers crypto-js, lodash, uuid, moment, chai, atob, btoa)",
    )
  }
  loading[key] = true
  try {
    var made = (0, eval)(src + '\n;__fd_lib')
  } finally {
    delete loading[key]
  }
  libs[key] = made
  return made
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
var lazyGlobals = { _: 'lodash', CryptoJS: 'crypto-js', moment: 'moment' }
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
