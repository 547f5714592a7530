'use strict';
// The public surface of @igniter/native. The napi-generated loader (binding.js) picks the
// addon for this platform; it stays private so that its exports can change without
// changing ours.

let binding;
try {
  binding = require('./binding.js');
} catch (cause) {
  const error = new Error(
    '@igniter/native: the native addon is not available on this machine (not built, or no prebuilt binary for this platform)',
    { cause },
  );
  error.code = 'ERR_NATIVE_UNAVAILABLE';
  throw error;
}

exports.abiVersion = binding.abiVersion;
exports.crateVersion = binding.crateVersion;
exports.canonicalJson = binding.canonicalJson;
exports.valueHash = binding.valueHash;
exports.sha256Hex = binding.sha256Hex;
exports.NativeLog = binding.NativeLog;
