// Preloaded into a measured process (NODE_OPTIONS=--require): at exit, writes its CPU time (user + system, ms) to
// $GEOSTACK_BENCH_CPU_FILE. CPU time hardly depends on what else the machine runs; wall time does.
"use strict";
process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    require("node:fs").writeFileSync(process.env.GEOSTACK_BENCH_CPU_FILE, String((user + system) / 1000));
});
