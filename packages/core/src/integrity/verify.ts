import { yieldToEventLoop } from '../storage/yield.js';
import { FactAudit } from './fact-audit.js';
import type { IntegrityHost, VerifyResult } from './types.js';

const FACTS_PER_TURN = 4096;

/**
 * `store.verify()`: with a backend that can read its files back (`verifyFiles`), flushes, then
 * checks every fact of every data file as read from disk, plus the problems the backend found
 * in the files; otherwise (in memory, or a backend without `verifyFiles`) checks the engine's
 * facts. Never writes. Rejects only with the system error of a failed read or flush.
 * Cost: one read of the data files and one hash per fact; the event loop runs in between.
 */
export async function verifyStore(host: IntegrityHost): Promise<VerifyResult> {
  const engine = host.internalEngine;
  const backend = host.internalBackend;
  const audit = new FactAudit((value) => engine.valueHash(value));
  if (backend?.verifyFiles) {
    // Facts still in the group-commit buffer are committed: put them on disk so they are checked.
    await backend.flush();
    for await (const entry of backend.verifyFiles()) {
      if ('problem' in entry) audit.report(entry.problem);
      else audit.check(entry.fact, entry.file, entry.offset);
    }
  } else {
    const facts = engine.all();
    for (let i = 0; i < facts.length; i++) {
      audit.check(facts[i] as (typeof facts)[number]);
      if (i % FACTS_PER_TURN === FACTS_PER_TURN - 1) await yieldToEventLoop();
    }
  }
  const purgedStores = (backend?.purgeReceipts?.() ?? []).map((r) => r.store);
  return audit.finish(purgedStores);
}
