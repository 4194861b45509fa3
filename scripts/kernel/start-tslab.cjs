// Starts the tslab kernel with one fix applied (run by tslab-kernel.sh from the repository root).
//
// tslab compiles cells with TypeScript's watch API and lets it hold ONE pending timer at a time
// (tslab/dist/converter.js throws "Unexpected pending rebuildTimer" otherwise). TypeScript also watches the
// directories where module lookups failed (node_modules/@types candidates up to the repository root) and, when a
// file appears or disappears there, schedules a SECOND timer. So any file written inside the repository while the
// kernel runs — results/, .cache/, an atomic .tmp file — made the next cell fail. Directory watchers are turned
// off here; watchers of the source files themselves stay, so edits to lib/ are still picked up by the next cell.
// The cost: a module created after a failed import is only found after a kernel restart.
"use strict";
const path = require("node:path");

const tslabDir = path.dirname(require.resolve("tslab/package.json"));
const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] }));
ts.sys.watchDirectory = () => ({ close() {} });
require(path.join(tslabDir, "dist", "main.js")).main();
