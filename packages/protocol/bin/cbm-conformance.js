#!/usr/bin/env node
// cbm-conformance <op>: one JSON object on stdin, one on stdout (DESIGN.md §9).
import { runConformance, CONFORMANCE_OPS } from '../dist/conformance.js';

const op = process.argv[2];
if (process.argv.length !== 3 || op === undefined || op === '--help' || op === '-h') {
  process.stderr.write(
    `usage: cbm-conformance <op>  (reads one JSON object on stdin)\nops: ${CONFORMANCE_OPS.join(', ')}\n`,
  );
  process.exit(2);
}
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const result = runConformance(op, Buffer.concat(chunks).toString('utf8'));
process.stdout.write(`${JSON.stringify(result.output)}\n`);
process.exitCode = result.exitCode;
