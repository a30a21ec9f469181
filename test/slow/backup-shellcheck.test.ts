// The backup containers' scripts under ShellCheck (Debian's): bash for geostack-backup, POSIX sh for geostack-offsite,
// which busybox runs in the restic image.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { scriptsDir } from "../../components/backup/scripts";
import { run } from "../support/pg-cluster";

const SHELLCHECK = run("sh", ["-c", "command -v shellcheck"]).stdout.trim();
const REQUIRE = process.env.GEOSTACK_REQUIRE_POSTGRES === "1";
if (!SHELLCHECK) console.warn(`[backup-shellcheck.test] ${REQUIRE ? "FAILING" : "SKIPPING"}: no shellcheck (.ci/install-backup-tools.sh)`);

describe.skipIf(!SHELLCHECK && !REQUIRE)("the backup scripts", () => {
    it.each([
        // SC2012: `list` shows the files of a backup with ls; their names are ours.
        ["geostack-backup", ["--shell=bash", "--exclude=SC2012"]],
        ["geostack-offsite", ["--shell=sh"]],
    ])("%s passes ShellCheck", (script, options) => {
        const r = run(SHELLCHECK || "shellcheck", [...options, path.join(scriptsDir(), script)]);
        expect(r.stdout + r.stderr).toBe("");
        expect(r.status).toBe(0);
    });
});
