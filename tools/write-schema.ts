/**
 * `npm run schema`: writes components/schema.json, the schema of the multi-language component package, inferred
 * offline from the TypeScript source exactly as the nodejs plugin host infers it. It is committed so that a pull
 * request shows every change of the public API; test/components/package.test.ts only compares it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";
import * as components from "../components";
import { findProjectDir } from "./render/stack-config";

// From the checkout, also when run compiled from bin/: the schema is inferred from the TypeScript source.
export const COMPONENTS_DIR = path.join(findProjectDir(), "components");
export const SCHEMA_FILE = path.join(COMPONENTS_DIR, "schema.json");

/**
 * The provider the plugin host serves, named as the host names it (@pulumi/pulumi's cmd/run-plugin): after
 * components/package.json's name, a scope becoming the namespace. The name is the first part of every type token.
 */
export function componentProvider(): ComponentProvider {
    const manifest = JSON.parse(fs.readFileSync(path.join(COMPONENTS_DIR, "package.json"), "utf8"));
    const [, namespace, name] = String(manifest.name).match(/^(?:@(.*?)\/)?(.+)$/)!;
    return new ComponentProvider({
        name: name.replace(/[^-a-zA-Z0-9_]/g, "-"),
        namespace,
        components: getPulumiComponents(components),
        dirname: COMPONENTS_DIR,
    });
}

/** The schema as schema.json holds it. */
export async function schemaText(provider = componentProvider()): Promise<string> {
    return `${JSON.stringify(JSON.parse(await provider.getSchema()), null, 2)}\n`;
}

if (require.main === module) {
    schemaText().then(
        (text) => {
            fs.writeFileSync(SCHEMA_FILE, text);
            console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
        },
        (err) => {
            console.error(err);
            process.exit(1);
        },
    );
}
