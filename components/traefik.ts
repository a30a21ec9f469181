import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { withContainerDefaults } from "./container-defaults";
import { DEFAULT_MEMORY_MB, DEFAULT_TRAEFIK_IMAGE } from "./defaults";
import { traefikFlags } from "./traefik-flags";
import { check, isMemoryMb, isNamePrefix, isSupportedTraefik, requireValid } from "./validation";

export const DOCKER_SOCKET = "/var/run/docker.sock";

export interface TraefikProxyArgs {
    /** Prefixes the container name (GeoStack passes `<project>-<stack>`); defaults to the component name. */
    namePrefix?: string;
    /** The network traefik shares with the containers it routes to. */
    proxyNetworkName: pulumi.Input<string>;
    /** A traefik v3 image pinned to a patch release, v3.6.1 or later (default: GeoStack's pinned release). */
    image?: string;
    /** Memory limit of the container in MiB (at least 64); default 256. */
    memoryMb?: number;
}

/** The reverse proxy: the only container publishing ports beyond loopback (80, on all addresses). */
export class TraefikProxy extends pulumi.ComponentResource {
    /** `<namePrefix>-traefik` */
    readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: TraefikProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        const namePrefix = args.namePrefix ?? name;
        const image = args.image ?? DEFAULT_TRAEFIK_IMAGE;
        const memoryMb = args.memoryMb ?? DEFAULT_MEMORY_MB.traefik;
        requireValid(`Invalid arguments for TraefikProxy "${name}"`, [
            check("namePrefix", namePrefix, isNamePrefix),
            check("image", image, isSupportedTraefik),
            check("memoryMb", memoryMb, isMemoryMb("traefik")),
        ]);
        // Validated before super(): a bad argument registers nothing, not even this component.
        super("geostack:index:TraefikProxy", name, {}, opts);

        const container = new docker.Container(
            name,
            withContainerDefaults(
                { namePrefix, role: "traefik", memoryMb },
                {
                    image,
                    command: pulumi.output(args.proxyNetworkName).apply((proxyNetworkName) => traefikFlags({ proxyNetworkName })),
                    networksAdvanced: [{ name: args.proxyNetworkName }],
                    ports: [{ internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" }],
                    // Read-only: traefik only lists containers and reads their labels.
                    volumes: [{ hostPath: DOCKER_SOCKET, containerPath: DOCKER_SOCKET, readOnly: true }],
                    healthcheck: {
                        tests: ["CMD", "traefik", "healthcheck", "--ping"],
                        interval: "10s",
                        timeout: "5s",
                        retries: 3,
                        startPeriod: "10s",
                    },
                    wait: true,
                    waitTimeout: 60,
                },
            ),
            { parent: this },
        );

        this.containerName = container.name;
        this.registerOutputs({ containerName: this.containerName });
    }
}
