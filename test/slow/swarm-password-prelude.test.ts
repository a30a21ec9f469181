import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { passwordFilePrelude } from "../../components/swarm/swarm";
import { GEOSERVER_DB_PASSWORD_ENV } from "../../components/postgis/init-script";

// bash sources the prelude as the postgres image's entrypoint does a non-executable initdb.d/*.sh, then runs a child
// (standing for 20-geostack.sh, which it executes) that must see the password from the secret file.
function sourceThen(env: Record<string, string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prelude-"));
    const prelude = path.join(dir, "19-geostack-password-file.sh");
    fs.writeFileSync(prelude, passwordFilePrelude(GEOSERVER_DB_PASSWORD_ENV));
    return spawnSync("bash", ["--norc", "--noprofile", "-c", `set -Eeo pipefail; . "${prelude}"; bash --norc -c 'printf %s "$${GEOSERVER_DB_PASSWORD_ENV}"'`], {
        env: { PATH: process.env.PATH ?? "", ...env },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

describe("the swarm's password prelude, under bash", () => {
    it("exports the password from the file the _FILE variable names, for the init script it runs next", () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "secret-")), "pw");
        fs.writeFileSync(file, "p4ss with $pecial 'chars'");
        const run = sourceThen({ [`${GEOSERVER_DB_PASSWORD_ENV}_FILE`]: file });
        expect(run.stderr).toBe("");
        expect(run.stdout).toBe("p4ss with $pecial 'chars'");
    });

    it("stops the first init when the file is missing, naming it", () => {
        const run = sourceThen({ [`${GEOSERVER_DB_PASSWORD_ENV}_FILE`]: "/run/secrets/absent" });
        expect(run.status).toBe(1);
        expect(run.stderr).toMatch(/GEOSERVER_DB_PASSWORD_FILE=\/run\/secrets\/absent is not a readable file/);
    });
});
