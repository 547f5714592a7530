/**
 * `array` when it holds at least `length` elements, else a copy in a new array of at least
 * twice its length made by `make` (amortized O(1) appends to typed arrays).
 */
export function grown<
  T extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>,
>(array: T, length: number, make: (length: number) => T): T {
  if (length <= array.length) return array;
  const bigger = make(Math.max(length, array.length * 2));
  bigger.set(array);
  return bigger;
}
