import type { Fact } from '@igniter/core';

/** The fact with seq `seq` of the crash test. */
export function crashFact(seq: number): Fact;
