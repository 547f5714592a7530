import { checkName } from '../args.js';
import { encodeValue } from '../canonical.js';
import type { Engine } from '../engine/types.js';
import { IgniterError } from '../errors.js';
import type { Fact } from '../fact.js';
import { type FailureHost, handleRuleFailure } from './poison.js';
import { DerivationProgram, groupOfProducer, type RuleOutput, type RuleProgram } from './program.js';
import type { RebuildProgress, Rule } from './rule.js';
import type { RuleSet } from './rule-set.js';
import type { RebuildResult } from './types.js';

/** Longest stretch of synchronous work between two turns of the event loop. */
const SLICE_MS = 8;

/** Seqs looked up at a time while walking the log. */
const WINDOW = 256;

/** What a rebuild needs from the store. */
export interface RebuildHost extends FailureHost {
  readonly rules: RuleSet;
  /** False once the store is closed. */
  isOpen(): boolean;
  /** The number of live facts of a store. */
  factCount(store: string): number;
  /** Moves the rule's metadata to its new target (a rebuild `into` another store). */
  retarget(rule: Rule, target: string): void;
}

/**
 * Recomputes a rule from its source facts and writes what differs, in slices of at most
 * {@link SLICE_MS} ms while writes continue (the live rule keeps running meanwhile).
 *
 * The log is walked in seq order; each fact of a source store is folded into a fresh copy of the
 * rule's program, exactly as a store replaying the same facts would run it, and the target
 * values it computes are kept in memory. Once the walk has caught up with the log, target keys
 * whose value differs from the target's latest are written, a slice at a time; facts committed
 * meanwhile are folded in turn. The rule switches back to `running` (and to its `into` store) in
 * the same turn as the fold catches up with nothing left to write, so no source fact falls
 * between the rebuild and the live rule.
 *
 * A derivation with a fixed target key only needs its last run: its inputs are folded and the
 * rule runs once over them. Should that run return null or throw, the fold starts over running
 * the rule at every change of its inputs, as live (a replay keeps the last value written).
 */
export class Rebuild implements RebuildProgress {
  readonly #host: RebuildHost;
  readonly #rule: Rule;
  readonly #into: string | undefined;
  readonly #target: string;
  readonly #sources: ReadonlySet<string>;
  readonly #done: Promise<RebuildResult>;
  #resolve: (result: RebuildResult) => void = () => undefined;
  #reject: (error: unknown) => void = () => undefined;
  #program: RuleProgram;
  /** Target values computed so far, by key. */
  readonly #values = new Map<string, RuleOutput>();
  /** Keys whose computed value may differ from the target's latest. */
  readonly #dirty = new Set<string>();
  /** The last seq walked. */
  #position = 0;
  /** Source-store facts walked (for `lag`) and folded (facts the rule runs on). */
  #walked = 0;
  #folded = 0;
  #written = 0;
  /** A fixed-key derivation folds its inputs and runs once; `pending` is the run owed. */
  #lazy: boolean;
  #pending: Fact | undefined;
  #restart = false;
  #settled = false;
  lastSourceSeq = 0;

  constructor(host: RebuildHost, rule: Rule, into: string | undefined) {
    this.#host = host;
    this.#rule = rule;
    this.#into = into;
    this.#target = into ?? rule.target;
    this.#sources = new Set(rule.program.sources);
    this.#program = rule.program.fresh();
    this.#lazy = rule.program instanceof DerivationProgram && rule.program.fixedKey !== undefined;
    this.#done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Starts the rebuild: the rule is `rebuilding` until the promise settles. */
  start(): Promise<RebuildResult> {
    this.#rule.state = 'rebuilding';
    this.#rule.rebuild = this;
    setImmediate(() => this.#slice());
    return this.#done;
  }

  /** Source facts committed that the rebuild has not walked yet. */
  lag(): number {
    let total = 0;
    for (const store of this.#sources) total += this.#host.factCount(store);
    return Math.max(0, total - this.#walked);
  }

  restart(): void {
    this.#restart = true;
  }

  /** A live write of the rule to the store being rebuilt: that key must be compared again. */
  touched(store: string, key: string): void {
    if (store === this.#target && this.#values.has(key)) this.#dirty.add(key);
  }

  #slice(): void {
    if (this.#settled) return;
    try {
      if (this.#step()) return;
    } catch (error) {
      this.#fail(error);
      return;
    }
    setImmediate(() => this.#slice());
  }

  /** One slice of work; true when the rebuild settled. */
  #step(): boolean {
    const engine = this.#host.internalEngine;
    const deadline = performance.now() + SLICE_MS;
    do {
      if (!this.#host.isOpen())
        throw new IgniterError('ERR_CLOSED', 'the store was closed during the rebuild');
      if (this.#rule.state === 'stopped') throw this.#rule.stoppedBy ?? this.#stoppedError();
      if (this.#restart) this.#startOver();
      if (this.#position < engine.lastSeq()) this.#walk(engine);
      else if (this.#pending) this.#runPending();
      else if (this.#dirty.size > 0) this.#writeDifferences(deadline);
      else {
        this.#finish();
        return true;
      }
    } while (performance.now() < deadline);
    return false;
  }

  #walk(engine: Engine): void {
    const to = Math.min(engine.lastSeq(), this.#position + WINDOW);
    const seqs = Array.from({ length: to - this.#position }, (_, i) => this.#position + 1 + i);
    for (const fact of engine.bySeqs(seqs)) {
      if (!this.#sources.has(fact.store)) continue;
      this.#fold(fact);
      if (this.#restart || this.#rule.state === 'stopped') return;
    }
    this.#position = to;
  }

  #fold(fact: Fact): void {
    this.#walked += 1;
    const program = this.#program;
    const ruleWrote =
      groupOfProducer(fact.producer?.kind) !== undefined &&
      this.#host.rules.writingGroupsOf(fact).has(program.group);
    // The owed run sees the inputs as they were before a fact the rule never ran on changes them.
    if (ruleWrote && this.#pending) this.#runPending();
    const accepted = program.track(fact);
    if (ruleWrote) return;
    this.#folded += 1;
    this.lastSourceSeq = fact.seq;
    if (!accepted) return;
    if (this.#lazy) this.#pending = fact;
    else this.#run(fact);
  }

  /** Runs the rule for a source fact, as the live rule would, keeping its output. */
  #run(fact: Fact): void {
    let output: RuleOutput | null;
    try {
      output = this.#program.run(fact, (key) => this.#values.get(key)?.value);
      // What the store would refuse to write is the rule's failure at this fact, as live.
      if (output) output = { ...output, key: checkName(output.key, 'target key'), value: frozen(output) };
    } catch (error) {
      handleRuleFailure(this.#host, this.#rule, fact, error);
      return;
    }
    if (!output) return;
    this.#values.set(output.key, output);
    this.#dirty.add(output.key);
  }

  /** The one run of a fixed-key derivation; a null or failing run means running at every change. */
  #runPending(): void {
    const fact = this.#pending;
    if (!fact) return;
    this.#pending = undefined;
    let output: RuleOutput | null;
    try {
      output = this.#program.run(fact, () => undefined);
      if (output) output = { ...output, value: frozen(output) };
    } catch {
      output = null;
    }
    if (!output) {
      this.#lazy = false;
      this.#restart = true;
      return;
    }
    this.#values.set(output.key, output);
    this.#dirty.add(output.key);
  }

  #writeDifferences(deadline: number): void {
    const engine = this.#host.internalEngine;
    for (const key of this.#dirty) {
      this.#dirty.delete(key);
      // Every dirty key has a computed value: keys enter `dirty` only with one (also via `touched`).
      const output = this.#values.get(key) as RuleOutput;
      const latest = engine.latestFor(this.#target, key);
      if (latest?.valueHash !== engine.valueHash(output.value)) {
        if (this.#host.rules.write(this.#rule, this.#target, output, 'rebuild')) this.#written += 1;
        if (this.#rule.state === 'stopped') return;
      }
      if (performance.now() >= deadline) return;
    }
  }

  #startOver(): void {
    this.#restart = false;
    this.#program = this.#rule.program.fresh();
    this.#values.clear();
    this.#dirty.clear();
    this.#pending = undefined;
    this.#position = 0;
    this.#walked = 0;
    this.#folded = 0;
    this.lastSourceSeq = 0;
  }

  #finish(): void {
    const rule = this.#rule;
    if (this.#into !== undefined) {
      rule.target = this.#into;
      this.#host.retarget(rule, this.#into);
    }
    this.#release('running');
    rule.lastSourceSeq = Math.max(rule.lastSourceSeq, this.lastSourceSeq);
    this.#resolve({
      name: rule.name,
      target: rule.target,
      sourceFacts: this.#folded,
      written: this.#written,
    });
  }

  #fail(error: unknown): void {
    this.#release(this.#rule.state === 'stopped' ? 'stopped' : 'running');
    this.#reject(error);
  }

  #release(state: 'running' | 'stopped'): void {
    this.#settled = true;
    const rule = this.#rule;
    rule.rebuild = undefined;
    rule.state = state;
    if (state === 'running') {
      rule.stoppedBy = undefined;
      rule.skipped = 0;
    }
  }

  #stoppedError(): IgniterError {
    return new IgniterError('ERR_RULE_FAILED', `rule "${this.#rule.name}" stopped during its rebuild`);
  }
}

/** A deep-frozen, validated copy of an output's value (what the store would keep). */
function frozen(output: RuleOutput): RuleOutput['value'] {
  return encodeValue(output.value, 'derived value').copy;
}
