#!/usr/bin/env node
// The `cbm` command (DESIGN.md section 9), run from the built package.
import { run } from '../dist/main.js';

process.exitCode = await run(process.argv.slice(2));
