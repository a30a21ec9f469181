// The program's entry point, Pulumi.yaml's `main`: index.ts, transpiled without a type check by tools/ts-loader.cjs
// (cached per file content). `pulumi up` and `pulumi preview` thus load about as fast as compiled JavaScript, and
// never run stale code; `npm run typecheck`, the editor and CI check the types (see docs/development.md).
require("./tools/ts-loader.cjs");
module.exports = require("./index.ts");
