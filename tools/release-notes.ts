/**
 * `node -r ./tools/ts-loader.cjs tools/release-notes.ts v1.2.3`, run by the release workflow: checks that the tag is
 * the version of the packages (package.json, components/package.json, policy/package.json) and prints CHANGELOG.md's section of that
 * version, the release's notes. Exits 1, saying why, when the versions differ or the section is missing or empty.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectDir } from "./render/stack-config";

/** The body of the changelog's `## [<version>]` section (Keep a Changelog), or undefined. */
export function releaseNotes(changelog: string, version: string): string | undefined {
    const sections = changelog.split(/^## /m).slice(1);
    const section = sections.find((s) => s.startsWith(`[${version}]`));
    const body = section?.slice(section.indexOf("\n") + 1).trim();
    return body ? `${body}\n` : undefined;
}

/** Every problem with releasing `tag`: versions that differ from it, a missing changelog section. */
export function releaseProblems(tag: string, versions: Record<string, string>, changelog: string): string[] {
    const version = tag.replace(/^v/, "");
    const problems: string[] = [];
    if (!/^v\d+\.\d+\.\d+(-[\w.]+)?$/.test(tag)) problems.push(`the tag ${tag} is not v<major>.<minor>.<patch>`);
    for (const [file, found] of Object.entries(versions)) {
        if (found !== version) problems.push(`${file} has version ${found}, the tag ${tag}: bump every package to ${version} first`);
    }
    if (!releaseNotes(changelog, version)) problems.push(`CHANGELOG.md has no section "## [${version}]" (with its changes) for the tag ${tag}`);
    return problems;
}

if (require.main === module) {
    const root = findProjectDir();
    const tag = process.argv[2] ?? "";
    const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
    const versions = Object.fromEntries(
        ["package.json", "components/package.json", "policy/package.json"].map((file) => [file, JSON.parse(read(file)).version]),
    );
    const problems = releaseProblems(tag, versions, read("CHANGELOG.md"));
    if (problems.length) {
        process.stderr.write(`release-notes: cannot release ${tag || "(no tag given)"}:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`);
        process.exit(1);
    }
    process.stdout.write(releaseNotes(read("CHANGELOG.md"), tag.replace(/^v/, ""))!);
}
