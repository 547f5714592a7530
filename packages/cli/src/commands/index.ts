import type { Command } from '../command.js';
import { backup } from './backup.js';
import { exportFacts } from './export.js';
import { importFacts } from './import.js';
import { mcp } from './mcp.js';
import { serve } from './serve.js';
import { stats } from './stats.js';
import { tail } from './tail.js';
import { verify } from './verify.js';

/** Every `igniter` command, in the order `igniter --help` lists them. New commands join here. */
export const COMMANDS: readonly Command[] = [
  serve,
  stats,
  verify,
  backup,
  exportFacts,
  importFacts,
  tail,
  mcp,
];
