#!/usr/bin/env node
import { main } from '../dist/main.js';

// main() returns only when the command is done (`up` and `serve` after a graceful stop).
process.exit(await main(process.argv.slice(2)));
