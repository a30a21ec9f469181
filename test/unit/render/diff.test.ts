import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { code, diffRenders, formatMarkdown } from "../../../tools/render/diff";
import PROVIDER_SCHEMA from "../../../tools/render/provider-schema.json";
import { containerUpdateAttributes, replacingPaths } from "../../../tools/render/derive-provider-schema";
import type { Rendered, RenderedResource } from "../../../tools/render/render";
import { CONTAINER, IMAGE, NETWORK, VOLUME } from "../../support/resources";

function resource(type: string, name: string, properties: RenderedResource["properties"], extra: Partial<RenderedResource> = {}): RenderedResource {
    return { key: `${type}::${name}`, type, name, parent: null, protect: false, retainOnDelete: false, waitsFor: [], properties, hidden: {}, ...extra };
}

const geoserver = resource(
    CONTAINER,
    "geoserver",
    {
        name: "geostack-dev-geoserver",
        image: "docker.osgeo.org/geoserver:2.28.2",
        env: ["A", "B"],
        labels: { "traefik.enable": "true", "traefik.http.routers.x.rule": "Host(`maps.example.org`)" },
        memory: 2048,
        restart: "unless-stopped",
    },
    { hidden: { env: "aaaaaaaaaaaa" } },
);
const volume = resource(VOLUME, "geoserver-data", { name: "geostack-dev-geoserver-data" });

function stack(resources: RenderedResource[], outputs: Rendered["outputs"] = {}): Rendered {
    return { project: "geostack", stack: "dev", resources, outputs, criticalPath: { steps: [], seconds: 0 } };
}

function with_(r: RenderedResource, change: Partial<RenderedResource>): RenderedResource {
    return { ...r, ...change, properties: { ...r.properties, ...change.properties }, hidden: { ...r.hidden, ...change.hidden } };
}

describe("render diff", () => {
    it("reports no changes for identical renders", () => {
        const diff = diffRenders("dev", stack([geoserver, volume]), stack([geoserver, volume]));
        expect(diff.resources).toEqual([]);
        expect(formatMarkdown(diff, "main")).toBe("### Stack `dev`: no changes\n\nThe render of this change and the render of `main` are identical.\n");
    });

    it("updates a container in place when only its memory or restart policy changes", () => {
        const diff = diffRenders("dev", stack([geoserver]), stack([with_(geoserver, { properties: { memory: 4096, restart: "always" } })]));
        expect(diff.resources).toMatchObject([{ kind: "update", dataLoss: false }]);
        expect(diff.resources[0].changes.map((c) => c.path)).toEqual(["memory", "restart"]);
    });

    it("replaces a container whose label, image or env changes, one row per changed label", () => {
        const relabelled = with_(geoserver, {
            properties: { labels: { "traefik.enable": "false", "traefik.http.routers.x.rule": "Host(`maps.example.org`)" } },
        });
        const diff = diffRenders("dev", stack([geoserver]), stack([relabelled]));
        expect(diff.resources).toMatchObject([{ kind: "replace", changes: [{ path: 'labels["traefik.enable"]', before: "true", after: "false" }] }]);
        expect(diffRenders("dev", stack([geoserver]), stack([with_(geoserver, { properties: { image: "x:1" } })])).resources[0].kind).toBe("replace");
    });

    it("says which change recreates a container, and that it means downtime", () => {
        const labels = { ...(geoserver.properties.labels as Record<string, string>), "traefik.enable": "false" };
        const diff = diffRenders("dev", stack([geoserver]), stack([with_(geoserver, { properties: { memory: 4096, labels } })]));
        expect(diff.resources).toMatchObject([{ kind: "replace", downtime: true }]);
        // The memory change alone would be applied in place: only the label is named.
        expect(diff.resources[0].notes).toEqual([
            'Docker must recreate this container for `labels["traefik.enable"]`: it is stopped, removed and started anew (downtime).',
        ]);
        expect(formatMarkdown(diff, "main")).toContain("> ⏸️ **Downtime: `geostack-dev-geoserver` is recreated (stopped, removed, started anew).**");
    });

    it("replaces a container whose image ID changes under the same reference (a rebuild with another extension)", () => {
        const rebuilt = with_(geoserver, { hidden: { image: "cccccccccccc" } });
        const diff = diffRenders("dev", stack([with_(geoserver, { hidden: { image: "bbbbbbbbbbbb" } })]), stack([rebuilt]));
        expect(diff.resources).toMatchObject([{ kind: "replace", downtime: true, changes: [{ path: "image", note: expect.stringContaining("image ID") }] }]);
    });

    it("tells a container change the provider only records in its state (a healthcheck) from one it applies", () => {
        const before = with_(geoserver, { properties: { healthcheck: { interval: "30s", tests: "CMD true" } } });
        const diff = diffRenders("dev", stack([before]), stack([with_(before, { properties: { healthcheck: { interval: "10s", tests: "CMD true" } } })]));
        expect(diff.resources).toMatchObject([{ kind: "update", downtime: false }]);
        expect(diff.resources[0].notes.join(" ")).toMatch(/records `healthcheck.interval` in the state but does not change the running container/);
        const resized = diffRenders("dev", stack([geoserver]), stack([with_(geoserver, { properties: { memory: 4096 } })]));
        expect(resized.resources[0].notes).toEqual([]);
    });

    it("replaces a network or a volume on any change of theirs, and updates a built image in place", () => {
        const network = resource(NETWORK, "proxy", { name: "geostack-dev-proxy", ipv6: false });
        expect(diffRenders("dev", stack([network]), stack([with_(network, { properties: { ipv6: true } })])).resources[0].kind).toBe("replace");
        const image = resource(IMAGE, "image", { buildArgs: { GEOSERVER_EXTENSIONS: "" } });
        const rebuilt = diffRenders("dev", stack([image]), stack([with_(image, { properties: { buildArgs: { GEOSERVER_EXTENSIONS: "wps" } } })]));
        expect(rebuilt.resources).toMatchObject([{ kind: "update", downtime: false }]);
    });

    it("shows a change of what a resource waits for without calling it a replacement", () => {
        const diff = diffRenders("dev", stack([geoserver]), stack([with_(geoserver, { waitsFor: ["postgis"] })]));
        expect(diff.resources).toMatchObject([{ kind: "update", changes: [{ path: "waitsFor", before: [], after: ["postgis"] }] }]);
    });

    it("sees a changed env value through its digest without printing it", () => {
        const diff = diffRenders("dev", stack([geoserver]), stack([with_(geoserver, { hidden: { env: "bbbbbbbbbbbb" } })]));
        expect(diff.resources).toMatchObject([{ kind: "replace", changes: [{ path: "env", note: expect.stringContaining("not shown") }] }]);
        expect(formatMarkdown(diff, "main")).not.toContain("bbbbbbbbbbbb");
    });

    it("flags a replaced or removed volume as data loss, with what protect and retainOnDelete do", () => {
        const renamed = diffRenders("dev", stack([volume]), stack([with_(volume, { properties: { name: "geostack-dev-geoserver-files" } })]));
        expect(renamed.resources).toMatchObject([{ kind: "replace", dataLoss: true }]);
        const md = formatMarkdown(renamed, "main");
        expect(md).toContain("> ⚠️ **Data loss: `geostack-dev-geoserver-files` is removed or replaced.**");
        expect(md).toContain("#### ⚠️ **Replace `geoserver-data` (`docker:index/volume:Volume`, named `geostack-dev-geoserver-files`): DATA LOSS**");

        const kept = with_(volume, { protect: true, retainOnDelete: true });
        const removed = diffRenders("prod", stack([kept, geoserver]), stack([geoserver]));
        expect(removed.resources).toMatchObject([{ kind: "remove", dataLoss: true }]);
        expect(removed.resources[0].notes.join(" ")).toMatch(/protected.*retainOnDelete/);
    });

    it("does not call protecting a volume a replacement", () => {
        const diff = diffRenders("dev", stack([volume]), stack([with_(volume, { protect: true })]));
        expect(diff.resources).toMatchObject([{ kind: "update", dataLoss: false, changes: [{ path: "protect", before: false, after: true }] }]);
    });

    it("lists added resources with their properties, data loss first, then replacements", () => {
        const password = resource("random:index/randomPassword:RandomPassword", "admin-password", { length: 24 });
        const diff = diffRenders("dev", stack([volume, password]), stack([geoserver, with_(password, { properties: { length: 32 } })]));
        expect(diff.resources.map((r) => [r.kind, r.resource.name, r.dataLoss])).toEqual([
            ["remove", "geoserver-data", true],
            ["replace", "admin-password", false],
            ["add", "geoserver", false],
        ]);
        const md = formatMarkdown(diff, "main");
        expect(md).toContain("### Stack `dev`: 1 to replace, 1 to remove, 0 to update, 1 to add");
        expect(md).toContain("<details><summary>properties</summary>");
        expect(md).toContain("image: docker.osgeo.org/geoserver:2.28.2");
    });

    it("shows removed and added list items, and changed outputs", () => {
        const before = with_(geoserver, { properties: { env: ["A", "B"] } });
        const after = with_(geoserver, { properties: { env: ["A", "C"] } });
        const diff = diffRenders("dev", stack([before], { url: "http://a/" }), stack([after], { url: "https://a/" }));
        const md = formatMarkdown(diff, "main");
        expect(md).toContain("| `env` | removed: `B` | added: `C` |");
        expect(md).toContain("| `url` | `http://a/` | `https://a/` |");
    });

    it("renders a whole stack as added when the base has no such stack", () => {
        const diff = diffRenders("staging", null, stack([geoserver, volume]));
        expect(diff.resources.map((r) => r.kind)).toEqual(["add", "add"]);
    });

    it("quotes values with backticks and pipes so the Markdown table holds", () => {
        expect(code("Host(`a`) || Host(`b`)")).toBe("``Host(`a`) \\|\\| Host(`b`)``");
        expect(code("`x`")).toBe("`` `x` ``");
        expect(code("plain")).toBe("`plain`");
    });
});

describe("the provider schema render:diff classifies by", () => {
    const resources = PROVIDER_SCHEMA.resources as Record<string, { replacedOnChange: string[]; appliedInPlace?: string[] }>;
    /** The input names of `<Name>Args` in the SDK's own typings: the SDK this project runs. */
    const sdkInputs = (sdk: string, file: string, args: string): string[] => {
        const text = fs.readFileSync(path.join(require.resolve(sdk), "..", `${file}.d.ts`), "utf8");
        const body = text.slice(text.indexOf(`export interface ${args} {`));
        return [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]);
    };

    it("names only inputs that the installed @pulumi/docker has, for every docker resource type GeoStack creates", () => {
        const files: Record<string, [string, string, string]> = {
            [CONTAINER]: ["@pulumi/docker", "container", "ContainerArgs"],
            [IMAGE]: ["@pulumi/docker-build", "image", "ImageArgs"],
            [NETWORK]: ["@pulumi/docker", "network", "NetworkArgs"],
            [VOLUME]: ["@pulumi/docker", "volume", "VolumeArgs"],
            "docker:index/remoteImage:RemoteImage": ["@pulumi/docker", "remoteImage", "RemoteImageArgs"],
            "docker:index/registryImage:RegistryImage": ["@pulumi/docker", "registryImage", "RegistryImageArgs"],
        };
        expect(Object.keys(resources).sort()).toEqual(Object.keys(files).sort());
        for (const [type, [sdk, file, args]] of Object.entries(files)) {
            const inputs = sdkInputs(sdk, file, args);
            expect(inputs.length, type).toBeGreaterThan(0);
            const named = [...resources[type].replacedOnChange, ...(resources[type].appliedInPlace ?? [])].map((p) => p.split(".")[0]);
            expect(
                named.filter((name) => !inputs.includes(name)),
                type,
            ).toEqual([]);
        }
    });

    it("is derived by reading replacement markers at any depth and the container Update's attribute list", () => {
        const schema = {
            resources: {},
            types: { "docker:index/X:X": { properties: { group: { willReplaceOnChanges: true }, availability: {} } } },
        };
        const properties = { name: { willReplaceOnChanges: true }, cluster: { $ref: "#/types/docker:index/X:X" }, keep: {} };
        expect(replacingPaths(schema, properties)).toEqual(["cluster.group", "name"]);
        const go = 'func resourceDockerContainerUpdate(ctx context.Context) {\n\tattrs := []string{\n\t\t"restart", "memory_swap",\n\t}\n}';
        expect(containerUpdateAttributes(go)).toEqual(["restart", "memory_swap"]);
    });
});
