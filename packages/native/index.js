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

// The value reads as plain Node-API callbacks (no napi-rs wrapper: see read_raw.rs).
const readValue = binding.logReadValueFunction();
const latestValue = binding.logLatestValueFunction();

exports.abiVersion = binding.abiVersion;
exports.crateVersion = binding.crateVersion;
exports.canonicalJson = binding.canonicalJson;
exports.valueHash = binding.valueHash;
exports.sha256Hex = binding.sha256Hex;
exports.tryLockFile = binding.tryLockFile;
exports.buildImage = binding.buildImage;
exports.sealImage = binding.sealImage;

/**
 * The fact log in Rust. The addon exports it as free functions over an external handle (a
 * napi class method costs ~250 ns more per call); this class puts them back together.
 */
class NativeLog {
  #log;
  #copy;
  constructor(maxValueBytes) {
    this.#log = binding.logCreate(maxValueBytes);
  }
  stage(text, numbers) {
    return binding.logStage(this.#log, text, numbers);
  }
  discard() {
    binding.logDiscard(this.#log);
  }
  loadBatch(text, numbers) {
    binding.logLoadBatch(this.#log, text, numbers);
  }
  loadCopy(bytes, header) {
    return binding.logLoadCopy(this.#log, bytes, header);
  }
  copyBegin() {
    if (this.#copy) throw new Error('@igniter/native: a COPY load is running on this log already');
    this.#copy = binding.logCopyBegin(this.#log);
  }
  copyPush(bytes) {
    if (!this.#copy) throw new Error('@igniter/native: no COPY load is running on this log');
    return binding.logCopyPush(this.#copy, bytes);
  }
  copyFinish() {
    const copy = this.#copy;
    if (!copy) throw new Error('@igniter/native: no COPY load is running on this log');
    this.#copy = undefined;
    return binding.logCopyFinish(this.#log, copy);
  }
  replayFile(path, numbers) {
    return binding.logReplayFile(this.#log, path, numbers);
  }
  openImage(imagePath, snapshotPath, numbers, logPath) {
    return binding.logOpenImage(this.#log, imagePath, snapshotPath, numbers, logPath);
  }
  writeImage(imagePath, tempPath, logPath, snapshotPath, numbers, tallyStores, tallyNumbers) {
    return binding.logWriteImage(
      this.#log,
      imagePath,
      tempPath,
      logPath,
      snapshotPath,
      numbers,
      tallyStores,
      tallyNumbers,
    );
  }
  restorable(producerText, out) {
    return binding.logRestorable(this.#log, producerText, out);
  }
  last(out) {
    return binding.logLast(this.#log, out);
  }
  setMaxValueBytes(maxValueBytes) {
    binding.logSetMaxValueBytes(this.#log, maxValueBytes);
  }
  truncateAfter(seq) {
    binding.logTruncateAfter(this.#log, seq);
  }
  advanceSeq(seq) {
    binding.logAdvanceSeq(this.#log, seq);
  }
  latestFor(storeAndKey, out) {
    return binding.logLatestFor(this.#log, storeAndKey, out);
  }
  latestValue(store, key, asOf, out) {
    return latestValue(this.#log, store, key, asOf, out);
  }
  readValue(store, key, asOf, out) {
    return readValue(this.#log, store, key, asOf, out);
  }
  forgetValues() {
    binding.logForgetValues(this.#log);
  }
  byId(id, out) {
    return binding.logById(this.#log, id, out);
  }
  factsFor(store, key, since, asOf, out) {
    return binding.logFactsFor(this.#log, store, key, since, asOf, out);
  }
  all(since, asOf, out) {
    return binding.logAll(this.#log, since, asOf, out);
  }
  bySeqs(seqs, out) {
    return binding.logBySeqs(this.#log, seqs, out);
  }
  remove(ids, out) {
    return binding.logRemove(this.#log, ids, out);
  }
  takeSpill() {
    return binding.logTakeSpill(this.#log);
  }
  keys(store) {
    return binding.logKeys(this.#log, store);
  }
  stores() {
    return binding.logStores(this.#log);
  }
  storeCounts(store) {
    return binding.logStoreCounts(this.#log, store);
  }
  storeName(index) {
    return binding.logStoreName(this.#log, index);
  }
  size() {
    return binding.logSize(this.#log);
  }
  lastSeq() {
    return binding.logLastSeq(this.#log);
  }
  heapBytes() {
    return binding.logHeapBytes(this.#log);
  }
  attachWal(wal) {
    binding.logAttachWal(this.#log, walHandles.get(wal));
  }
  detachWal() {
    binding.logDetachWal(this.#log);
  }
}
exports.NativeLog = NativeLog;

/** The handles of NativeWal objects, for NativeLog.attachWal. */
const walHandles = new WeakMap();

/** The frame writer of a data file, in Rust (see index.d.ts). */
class NativeWal {
  #wal;
  constructor(path, numbers) {
    this.#wal = binding.walOpen(path, numbers);
    walHandles.set(this, this.#wal);
  }
  append(frames, seq) {
    binding.walAppend(this.#wal, frames, seq);
  }
  sync() {
    binding.walSync(this.#wal);
  }
  flush() {
    return binding.walFlush(this.#wal);
  }
  writeToOs() {
    binding.walWriteToOs(this.#wal);
  }
  seal() {
    binding.walSeal(this.#wal);
  }
  shut() {
    binding.walShut(this.#wal);
  }
  reopen(path, end, lastSeq) {
    binding.walReopen(this.#wal, path, end, lastSeq);
  }
  status(out) {
    binding.walStatus(this.#wal, out);
  }
  hasPending() {
    return binding.walHasPending(this.#wal);
  }
}
exports.NativeWal = NativeWal;
