/**
 * Derives tools/render/provider-schema.json: what `render:diff` knows of the Docker providers. For each docker resource
 * type GeoStack uses, the inputs whose change makes the provider replace the resource (the provider schema's
 * `willReplaceOnChanges`: for @pulumi/docker the bridge sets it from the Terraform provider's `ForceNew`;
 * @pulumi/docker-build's Image marks none, and its Diff answers every change with an update), and for a container the
 * inputs its Update applies to the running container (the Terraform provider's `resourceDockerContainerUpdate`; a
 * change to any other input is written to the state only). Run it again when either package is upgraded:
 *
 *   node -r ./tools/ts-loader.cjs tools/render/derive-provider-schema.ts --schema <docker schema.json> --schema <docker-build schema.json> \
 *        --container-funcs <resource_docker_container_funcs.go> --source "<which repositories, commits and files>"
 *
 * `--schema`: pulumi/pulumi-docker's provider/cmd/pulumi-resource-docker/schema.json and pulumi/pulumi-docker-build's
 * provider/cmd/pulumi-resource-docker-build/schema.json, of the releases in package.json; `--container-funcs`:
 * kreuzwerker/terraform-provider-docker's internal/provider/resource_docker_container_funcs.go at the commit that
 * pulumi-docker's `upstream` submodule pins.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

/** The docker resource types GeoStack creates. */
export const DOCKER_RESOURCES = [
    "docker-build:index:Image",
    "docker:index/container:Container",
    "docker:index/network:Network",
    "docker:index/registryImage:RegistryImage",
    "docker:index/remoteImage:RemoteImage",
    "docker:index/volume:Volume",
];

interface SchemaProperty {
    willReplaceOnChanges?: boolean;
    $ref?: string;
    items?: { $ref?: string };
}
interface PulumiSchema {
    resources: Record<string, { inputProperties: Record<string, SchemaProperty> }>;
    types: Record<string, { properties?: Record<string, SchemaProperty> }>;
}

/** Input paths that replace the resource: `ports`, or `parent.child` where only the child does. */
export function replacingPaths(schema: PulumiSchema, properties: Record<string, SchemaProperty>, prefix = ""): string[] {
    return Object.entries(properties)
        .flatMap(([name, property]) => {
            if (property.willReplaceOnChanges) return [`${prefix}${name}`];
            const ref = (property.items?.$ref ?? property.$ref)?.replace(/^#\/types\//, "");
            const nested = ref === undefined ? undefined : schema.types[ref]?.properties;
            return nested ? replacingPaths(schema, nested, `${prefix}${name}.`) : [];
        })
        .sort();
}

/** The Terraform attribute names in `attrs := []string{...}` of resourceDockerContainerUpdate. */
export function containerUpdateAttributes(goSource: string): string[] {
    const update = goSource.slice(goSource.indexOf("func resourceDockerContainerUpdate("));
    const list = /attrs\s*:=\s*\[\]string\{([^}]*)\}/.exec(update);
    if (!list) throw new Error("no `attrs := []string{...}` in resourceDockerContainerUpdate");
    return [...list[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

/** A Terraform attribute's Pulumi input name: the bridge camel-cases it (and pluralises lists, which these are not). */
function pulumiName(attribute: string, inputs: Record<string, unknown>): string {
    const name = attribute.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(name in inputs)) throw new Error(`the container has no input ${name} (Terraform ${attribute})`);
    return name;
}

export interface ProviderSchema {
    source: string;
    resources: Record<string, { replacedOnChange: string[]; appliedInPlace?: string[] }>;
}

export function deriveProviderSchema(schemas: PulumiSchema[], containerFuncs: string, source: string): ProviderSchema {
    const resources: ProviderSchema["resources"] = {};
    const schemaOf = (token: string) => {
        const found = schemas.find((schema) => token in schema.resources);
        if (!found) throw new Error(`no schema declares ${token}`);
        return found;
    };
    for (const token of DOCKER_RESOURCES) {
        const schema = schemaOf(token);
        resources[token] = { replacedOnChange: replacingPaths(schema, schema.resources[token].inputProperties) };
    }
    const container = "docker:index/container:Container";
    const inputs = schemaOf(container).resources[container].inputProperties;
    resources[container].appliedInPlace = containerUpdateAttributes(containerFuncs)
        .map((attribute) => pulumiName(attribute, inputs))
        .sort();
    return { source, resources };
}

if (require.main === module) {
    const { values } = parseArgs({
        options: {
            schema: { type: "string", multiple: true },
            "container-funcs": { type: "string" },
            source: { type: "string" },
            out: { type: "string" },
        },
    });
    if (!values.schema?.length || !values["container-funcs"] || !values.source) {
        process.stderr.write('usage: derive-provider-schema --schema <schema.json>... --container-funcs <file.go> --source "<origin>" [--out <file>]\n');
        process.exit(2);
    }
    const schemas = values.schema.map((file) => JSON.parse(fs.readFileSync(file, "utf8")));
    const derived = deriveProviderSchema(schemas, fs.readFileSync(values["container-funcs"], "utf8"), values.source);
    const out = values.out ?? path.join(__dirname, "..", "..", "..", "tools", "render", "provider-schema.json");
    fs.writeFileSync(out, `${JSON.stringify(derived, null, 2)}\n`);
}
