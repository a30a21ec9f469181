import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

/** The label naming the stack a container belongs to: its `namePrefix`. traefik routes only its own stack's. */
export const INSTANCE_LABEL = "geostack.instance";

/** Labels every GeoStack container carries, so `docker ps --filter label=geostack.instance=...` finds one stack. */
export function instanceLabels(namePrefix: string, role: string): Record<string, string> {
    return { [INSTANCE_LABEL]: namePrefix, "geostack.role": role };
}

/** `{ key: value }` as the provider's label list, sorted so that a diff only shows real changes. */
export function toLabelList(labels: Record<string, string>): docker.types.input.ContainerLabel[] {
    return Object.keys(labels)
        .sort()
        .map((label) => ({ label, value: labels[label] }));
}

/** How often a starting container is probed until it first turns healthy (`pulumi up` waits for that). */
export const HEALTHCHECK_START_INTERVAL = "5s";

export interface ContainerDefaults {
    /** `<project>-<stack>`: the container is named `<namePrefix>-<role>` so stacks can share a host. */
    namePrefix: string;
    role: string;
    memoryMb: number;
    /** Docker's --cpus: the most CPU time the container gets, in CPUs (checked by `cpuLimit`). */
    cpus: string;
    /** Extra labels (traefik routing); may wait on outputs such as a network name. */
    labels?: pulumi.Input<Record<string, string>>;
}

/**
 * `cpus` exactly as the provider reads it back (NanoCPUs through kreuzwerker's nanoInt64ToDecimalString: "2" comes
 * back "2.0", "1.50" comes back "1.5"): `cpus` forces a new container, so any other spelling would replace it on
 * every `up`. Faithful to its quirks (0.01 comes back "0.0"), which is why `cpuLimit` admits only 0.1 to 9.99.
 */
export function providerCpus(value: string): string {
    const nines = Number(value).toFixed(9);
    return [...nines].filter((c) => c === "0").length === 9 ? Number(value).toFixed(1) : nines.replace(/0+$/, "");
}

/**
 * The one place for what every GeoStack container gets: a stable name, restart policy, rotated logs,
 * a hard memory limit, a CPU limit, no privilege escalation, and the instance labels.
 */
export function withContainerDefaults(
    defaults: ContainerDefaults,
    args: Omit<docker.ContainerArgs, "name" | "restart" | "logDriver" | "logOpts" | "memory" | "memorySwap" | "cpus" | "labels" | "securityOpts">,
): docker.ContainerArgs {
    return {
        ...args,
        name: `${defaults.namePrefix}-${defaults.role}`,
        restart: "unless-stopped",
        // Docker's `local` driver rotates by itself (5 compressed files of 20 MiB) and needs no log_opts. Set, log_opts
        // would replace every container on every `up` where daemon.json has log-opts: Docker merges them into the
        // container's (moby daemon/logs.go, mergeAndVerifyLogConfig), the provider reads the merged map back and
        // log_opts is ForceNew (kreuzwerker resource_docker_container.go, containerLogOptsForState).
        logDriver: "local",
        memory: defaults.memoryMb,
        // The one value Docker stores as given on every host: without swap accounting it stores -1 whatever it is sent
        // (moby daemon_unix.go, verifyPlatformContainerResources), and any other value would be a change at every `up`.
        // -1 lets a host that has swap lend it; most servers have none. ignoreChanges would not do: Docker refuses a
        // raised memory limit above the old swap limit it would keep sending.
        memorySwap: -1,
        cpus: providerCpus(defaults.cpus),
        securityOpts: ["no-new-privileges:true"],
        // Every field set: Docker fills a zero one from the image's HEALTHCHECK (moby daemon/commit.go), which the
        // provider reads back as a change at every `up`. startInterval needs Docker Engine 25 (API 1.44); older ones drop it.
        healthcheck: args.healthcheck && pulumi.output(args.healthcheck).apply((check) => ({ startInterval: HEALTHCHECK_START_INTERVAL, ...check })),
        labels: pulumi.output(defaults.labels ?? {}).apply((labels) => toLabelList({ ...labels, ...instanceLabels(defaults.namePrefix, defaults.role) })),
    };
}

/**
 * Pulls `reference` for a container to run by its image ID, which changes only when the image does. The provider
 * looks for the name on the Docker host first and pulls only when it is missing (kreuzwerker
 * resource_docker_image_funcs.go, findImage), so a moving tag is not pulled again: pin `name:tag@sha256:...` to update
 * on purpose. No `platform`: the engine pulls for its own. `keepLocally`: deleting this resource must not remove an
 * image a container may still use.
 */
export function pullImage(name: string, reference: pulumi.Input<string>, parent: pulumi.Resource, platform?: string): docker.RemoteImage {
    return new docker.RemoteImage(`${name}-image`, { name: reference, keepLocally: true, platform }, { parent });
}
