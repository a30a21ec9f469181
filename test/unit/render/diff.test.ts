import { describe, expect, it } from "vitest";
import { code, diffRenders, formatMarkdown } from "../../../tools/render/diff";
import type { Rendered, RenderedResource } from "../../../tools/render/render";
import { CONTAINER, VOLUME } from "../../support/resources";

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

    it("says a changed healthcheck reaches the state only: the provider neither updates nor replaces the container for it", () => {
        const checked = with_(geoserver, { properties: { healthcheck: { interval: "30s" } } });
        const faster = with_(geoserver, { properties: { healthcheck: { interval: "10s" } } });
        const diff = diffRenders("dev", stack([checked]), stack([faster]));
        expect(diff.resources).toMatchObject([{ kind: "update", notes: [expect.stringContaining("keeps the old one until it is replaced")] }]);
        const withImage = with_(faster, { properties: { image: "x:1" } });
        expect(diffRenders("dev", stack([checked]), stack([withImage])).resources).toMatchObject([{ kind: "replace" }]);
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
