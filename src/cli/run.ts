import { main } from './main.ts';

// The process entry: bin/scimd.js runs it through tsx, `npm start` from the bundle in dist/.
process.exitCode = await main(process.argv.slice(2));
