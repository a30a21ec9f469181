import { beforeAll, describe, expect, it } from "vitest";
import { isSecret, reveal } from "../../tools/render/mocks";
import { formatText, render } from "../../tools/render/render";
import { type Deployed, runProgram, stackConfig } from "../support/harness";

// The dev stack with keys no one would think of as secrets set with `--secret`: whatever the key, every input and
// output holding its value must be a secret, so the state keeps it encrypted and no output shows it.
const DOMAIN = "maps.secret-customer.example";
const ALLOWED = "198.51.100.0/24";
let run: Deployed;
beforeAll(async () => {
    const config = { ...stackConfig("dev"), "geostack:domain": DOMAIN, "geostack:adminAllowlist": JSON.stringify([ALLOWED]) };
    run = await runProgram("dev", config, ["geostack:domain", "geostack:adminAllowlist"]);
});

const holds = (value: unknown, text: string) => JSON.stringify(reveal(value)).includes(text);

describe("a key set with --secret, whatever the key", () => {
    it("makes every resource input holding its value a secret", () => {
        const holding = run.mocks.resources.flatMap((r) =>
            Object.entries(r.inputs)
                .filter(([, value]) => holds(value, DOMAIN) || holds(value, ALLOWED))
                .map(([key, value]) => ({ input: `${r.name}.${key}`, secret: isSecret(value) })),
        );
        // The domain reaches GeoServer's environment and labels: without the secret these would be plain in the state.
        expect(holding.map((h) => h.input)).toEqual(expect.arrayContaining(["geostack-geoserver.envs", "geostack-geoserver.labels"]));
        expect(holding.filter((h) => !h.secret)).toEqual([]);
    });

    it("leaves the inputs that do not hold it readable", () => {
        const postgis = run.mocks.get("docker:index/container:Container", "geostack-postgis");
        expect(isSecret(postgis.inputs.name)).toBe(false);
        expect(isSecret(postgis.inputs.healthcheck)).toBe(false);
    });

    it("makes every stack output holding its value a secret", () => {
        expect(run.outputs.geoserverUrl).toEqual({ value: `http://${DOMAIN}/geoserver/`, secret: true });
        expect(run.outputs.geoserverAdminUser.secret).toBe(false);
    });

    it("never shows the value in the offline render", () => {
        const text = formatText(render("geostack", "dev", run));
        expect(text).not.toContain(DOMAIN);
        expect(text).not.toContain(ALLOWED);
    });
});
