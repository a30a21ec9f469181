import { isSecret, type RegisteredResource, reveal } from "../../tools/render/mocks";

/** The provider type tokens the tests look resources up by. */
export const CONTAINER = "docker:index/container:Container";
export const VOLUME = "docker:index/volume:Volume";
export const NETWORK = "docker:index/network:Network";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const IMAGE = "docker-build:index:Image";
export const IMAGE_BUILDER_PROVIDER = "pulumi:providers:docker-build";
export const REGISTRY_IMAGE = "docker:index/registryImage:RegistryImage";
export const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

/** A container's environment as `{ NAME: value }`, secrets revealed (for assertions). */
export function envOf(container: RegisteredResource): Record<string, string> {
    return Object.fromEntries(reveal<string[]>(container.inputs.envs ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** A container's labels as `{ label: value }`, secrets revealed (for assertions). */
export function labelsOf(container: RegisteredResource): Record<string, string> {
    return Object.fromEntries(reveal<{ label: string; value: string }[]>(container.inputs.labels ?? []).map((l) => [l.label, l.value]));
}

/** The networks a container joins, with their aliases. */
export function networksOf(container: RegisteredResource): { name: string; aliases?: string[] }[] {
    return reveal(container.inputs.networksAdvanced ?? []);
}

/** The file a container gets uploaded at `file`: its content (revealed), whether it is a secret, its mode. */
export function uploadOf(container: RegisteredResource, file: string): { content: string; secret: boolean; permissions?: string } {
    const uploads = reveal<{ file: string }[]>(container.inputs.uploads ?? []);
    const at = uploads.findIndex((u) => u.file === file);
    if (at === -1) throw new Error(`${container.name} gets no upload at ${file}; it gets ${uploads.map((u) => u.file).join(", ")}`);
    const upload = (isSecret(container.inputs.uploads) ? container.inputs.uploads.value : container.inputs.uploads)[at];
    const raw = isSecret(upload) ? upload.value : upload;
    return {
        content: reveal(raw.content),
        secret: isSecret(upload) || isSecret(raw.content) || isSecret(container.inputs.uploads),
        permissions: raw.permissions,
    };
}
