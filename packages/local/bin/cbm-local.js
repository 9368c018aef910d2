#!/usr/bin/env node
// `npm start` runs this after building: the local runtime of DESIGN.md section 8.
import { main } from '../dist/main.js';

await main();
