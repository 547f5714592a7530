/** Flips the bits of `mask` in the byte at `at` of `bytes`, in place. */
export function xorByte(bytes: Buffer, at: number, mask: number): void {
  bytes.writeUInt8(bytes.readUInt8(at) ^ mask, at);
}

/** Adds `delta` to the byte at `at` of `bytes` (wrapping), in place. */
export function addToByte(bytes: Buffer, at: number, delta: number): void {
  bytes.writeUInt8((bytes.readUInt8(at) + delta + 256) % 256, at);
}
