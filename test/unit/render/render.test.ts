import { describe, expect, it } from "vitest";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { RegisteredResource } from "../../../tools/render/mocks";
import { formatJson, formatText, relocate, renderResources, SECRET } from "../../../tools/render/render";
import { CONTAINER } from "../../support/resources";

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const PASSWORD = "s3cr3t-Passw0rd-that-must-not-print";

function registered(type: string, name: string, inputs: Record<string, unknown>, parent = "", protect = false): RegisteredResource {
    return {
        type,
        name,
        urn: `urn:pulumi:test::geostack::${type}::${name}`,
        id: name,
        inputs,
        state: inputs,
        options: { protect, retainOnDelete: protect, parent, dependencies: [], propertyDependencies: {}, provider: "" },
    };
}

describe("rendering registered resources", () => {
    const component = registered("geostack:index:Thing", "thing", {});
    const resources = [
        registered(
            CONTAINER,
            "app",
            {
                name: "app",
                image: "example/app:1",
                envs: secret([`PASSWORD=${PASSWORD}`, "MODE=prod"]),
                labels: [
                    { label: "plain", value: "yes" },
                    { label: "traefik.http.middlewares.auth.basicauth.users", value: secret(`admin:${PASSWORD}`) },
                ],
                uploads: [{ file: "/etc/app.conf", content: secret(`password=${PASSWORD}`) }],
                logOpts: { "max-size": "10m" },
                stdinOpen: true,
                wait: true,
            },
            component.urn,
        ),
        registered(CONTAINER, "worker", { name: "worker", labels: secret([{ label: "token", value: PASSWORD }]) }, component.urn),
        // A type the render has never heard of: all its inputs show, secrets masked.
        registered(
            "tls:index/privateKey:PrivateKey",
            "key",
            { algorithm: "ED25519", passphrase: secret(PASSWORD), pem: "-----BEGIN\n...\n-----END" },
            component.urn,
            true,
        ),
        component,
    ];
    const rendered = renderResources(resources);
    const byName = Object.fromEntries(rendered.map((r) => [r.name, r]));

    it("orders parents first and siblings by name, and keys resources by type chain and name", () => {
        expect(rendered.map((r) => r.name)).toEqual(["thing", "app", "key", "worker"]);
        expect(byName.app.key).toBe("geostack:index:Thing$docker:index/container:Container::app");
        expect(byName.app.parent).toBe("thing");
    });

    it("masks secrets wherever they sit, keeping env and label keys", () => {
        expect(byName.app.properties.env).toEqual(["MODE", "PASSWORD"]);
        expect(byName.app.properties.labels).toEqual({ plain: "yes", "traefik.http.middlewares.auth.basicauth.users": SECRET });
        expect(byName.worker.properties.labels).toEqual({ token: SECRET });
        expect(byName.app.properties.uploads).toEqual({ "/etc/app.conf": SECRET });
        expect(byName.key.properties).toMatchObject({ algorithm: "ED25519", passphrase: SECRET });
        for (const output of [
            formatText({ project: "p", stack: "s", resources: rendered, outputs: {}, criticalPath: { steps: [], seconds: 0 } }),
            formatJson({ project: "p", stack: "s", resources: rendered, outputs: {}, criticalPath: { steps: [], seconds: 0 } }),
        ]) {
            expect(output).not.toContain(PASSWORD);
        }
    });

    it("summarises long strings and keeps digests of what it does not print", () => {
        expect(byName.key.properties.pem).toMatch(/^\[3 lines, \d+ characters, sha256 [0-9a-f]{12}\]$/);
        // One digest per input the render does not show (stdinOpen), so a diff can tell which one changed.
        expect(Object.keys(byName.app.hidden).sort()).toEqual(["env", "labels", "stdinOpen", "uploads"]);
        expect(byName.key).toMatchObject({ protect: true, retainOnDelete: true });
    });
});

describe("relocating paths", () => {
    it("prints the compiled program's paths as the project's, relative, so checkouts elsewhere render alike", () => {
        const relocations: [string, string][] = [
            ["/tmp/x/base/bin", "/tmp/x/base"],
            ["/tmp/x/base", "."],
        ];
        const inputs = { build: { context: "/tmp/x/base/bin/images/geoserver" }, dockerfile: secret("/tmp/x/base/Dockerfile"), other: "/tmp/x/based/y" };
        expect(relocate(inputs, relocations)).toEqual({
            build: { context: "./images/geoserver" },
            dockerfile: secret("./Dockerfile"),
            other: "/tmp/x/based/y",
        });
        expect(relocate("/tmp/x/base", relocations)).toBe(".");
    });
});
