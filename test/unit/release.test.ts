import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { releaseNotes, releaseProblems } from "../../tools/release-notes";
import { ROOT } from "../support/harness";

const CHANGELOG = `# Changelog

## [Unreleased]

- Next.

## [1.2.0] - 2027-01-15

### Added

- A backup sidecar.

## [1.1.0] - 2026-12-01

- Older.
`;

describe("a release", () => {
    it("takes its notes from the changelog's section of its version", () => {
        expect(releaseNotes(CHANGELOG, "1.2.0")).toBe("### Added\n\n- A backup sidecar.\n");
        expect(releaseNotes(CHANGELOG, "1.1.0")).toBe("- Older.\n");
        expect(releaseNotes(CHANGELOG, "1.3.0")).toBeUndefined();
    });

    it("is refused when the tag is not both packages' version or the changelog lacks it", () => {
        const both = { "package.json": "1.2.0", "components/package.json": "1.2.0" };
        expect(releaseProblems("v1.2.0", both, CHANGELOG)).toEqual([]);
        expect(releaseProblems("v1.2.0", { ...both, "components/package.json": "1.1.0" }, CHANGELOG)).toEqual([
            "components/package.json has version 1.1.0, the tag v1.2.0: bump every package to 1.2.0 first",
        ]);
        expect(releaseProblems("v1.3.0", { "package.json": "1.3.0", "components/package.json": "1.3.0" }, CHANGELOG)).toEqual([
            'CHANGELOG.md has no section "## [1.3.0]" (with its changes) for the tag v1.3.0',
        ]);
        expect(releaseProblems("1.2.0", both, CHANGELOG)[0]).toContain("not v<major>.<minor>.<patch>");
    });

    it("has a changelog whose versions are semver, newest first, below an Unreleased section", () => {
        const headings = [...fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8").matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]);
        expect(headings[0]).toBe("Unreleased");
        const versions = headings.slice(1);
        for (const v of versions) expect(v).toMatch(/^\d+\.\d+\.\d+$/);
        const key = (v: string) =>
            v
                .split(".")
                .map((n) => n.padStart(6, "0"))
                .join(".");
        expect([...versions].sort((a, b) => key(b).localeCompare(key(a)))).toEqual(versions);
    });
});
