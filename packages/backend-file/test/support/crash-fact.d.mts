import type { Fact } from '@igniter/core';

/** The fact with seq `seq` of the crash test: fully determined by its seq. */
export function crashFact(seq: number): Fact;
