// `@igniter/core/errors`: the error class and its codes without the store, so that code that must
// not load the store (a browser bundle of @igniter/client) throws the same IgniterError class.
export {
  IgniterError,
  type IgniterErrorCode,
  type IgniterErrorOptions,
  isIgniterErrorCode,
} from './errors.js';
