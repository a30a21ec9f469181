import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { GeoServer } from "./geoserver";
import { GeoServerImage } from "./geoserver-image";
import { Postgis } from "./postgis";
import { TraefikProxy } from "./traefik";
import { DEFAULT_GEOSERVER_VERSION, DEFAULT_IMAGE_PLATFORM, DEFAULT_IMAGE_REPOSITORY } from "./defaults";
import { check, isGeoserverVersion, isImagePlatform, isImageReference, problem, requireValid } from "./validation";

export interface GeoStackArgs {
    /** `<project>-<stack>`: prefixes every container, volume and network name; defaults to the component name. */
    namePrefix?: string;
    /** Public host name; GeoServer is served at `http://<domain>/geoserver/`. */
    domain: string;
    /** GeoServer release the image is built from (when `geoserverImage` is not given). */
    geoserverVersion?: string;
    /** A prebuilt GeoServer image reference to run (ideally `repo@sha256:...`); nothing is built then. */
    geoserverImage?: string;
    /** Repository the GeoServer image is built into: `ghcr.io/<owner>/geoserver`, or a local name (the default). */
    imageRepository?: string;
    /** Push the built image and run it by digest; needs `registryUsername` and `registryPassword`. */
    pushImage?: boolean;
    registryUsername?: string;
    /** Registry token (GitHub: one with `write:packages`); handled as a secret. */
    registryPassword?: pulumi.Input<string>;
    /** Official extension names baked into the built image. */
    geoserverExtensions?: string[];
    /** Platform the image is built and pulled for, `linux/amd64` by default. */
    imagePlatform?: string;
    /** URL of this project's repository, for the image's `org.opencontainers.image.source` label. */
    imageSource?: string;
    postgisImage?: string;
    traefikImage?: string;
    geoserverAdminUser?: string;
    /** Publishes PostGIS on 127.0.0.1:<port> of the Docker host; unset publishes nothing. */
    publishDatabasePort?: number;
    /** Protects the data volumes from `pulumi destroy` and keeps them if deleted. */
    protectData?: boolean;
    postgisMemoryMb?: number;
    geoserverMemoryMb?: number;
    traefikMemoryMb?: number;
}

/** The whole stack: two networks, PostGIS, GeoServer and traefik, wired together. */
export class GeoStack extends pulumi.ComponentResource {
    readonly url: pulumi.Output<string>;
    readonly adminUser: pulumi.Output<string>;
    readonly adminPassword: pulumi.Output<string>;
    readonly databasePassword: pulumi.Output<string>;
    readonly databaseSuperuserPassword: pulumi.Output<string>;
    readonly databaseAddress: pulumi.Output<string>;
    readonly containerNames: pulumi.Output<string[]>;
    readonly volumeNames: pulumi.Output<string[]>;
    /** The GeoServer image by name: `<imageRepository>:<geoserverVersion>`, or the prebuilt reference. */
    readonly geoserverImageName: pulumi.Output<string>;
    /** The GeoServer image GeoServer runs, exactly: a repo digest, or the local image ID of an unpushed build. */
    readonly geoserverImageDigest: pulumi.Output<string>;

    constructor(name: string, args: GeoStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("geostack:index:GeoStack", name, {}, opts);
        const namePrefix = args.namePrefix ?? name;
        const geoserverVersion = args.geoserverVersion ?? DEFAULT_GEOSERVER_VERSION;
        const imagePlatform = args.imagePlatform ?? DEFAULT_IMAGE_PLATFORM;
        requireValid(`Invalid arguments for GeoStack "${name}"`, [
            check("geoserverVersion", geoserverVersion, isGeoserverVersion),
            check("imagePlatform", imagePlatform, isImagePlatform),
            args.geoserverImage === undefined ? undefined : check("geoserverImage", args.geoserverImage, isImageReference),
            // A prebuilt image is run as it is: nothing could be pushed, nothing baked in.
            args.geoserverImage !== undefined && args.pushImage ? problem("pushImage", true, "false when geoserverImage is given (nothing is built)") : undefined,
            args.geoserverImage !== undefined && (args.geoserverExtensions ?? []).length > 0
                ? problem("geoserverExtensions", args.geoserverExtensions, "none when geoserverImage is given (extensions are baked in at build time)")
                : undefined,
        ]);

        const image = this.imageToRun(name, args, geoserverVersion, imagePlatform);

        // Internal: the database network has no route out of the host.
        const backend = new docker.Network(`${name}-backend`, { name: `${namePrefix}-backend`, driver: "bridge", internal: true }, { parent: this });
        const proxy = new docker.Network(`${name}-proxy`, { name: `${namePrefix}-proxy`, driver: "bridge" }, { parent: this });

        const postgis = new Postgis(
            `${name}-postgis`,
            {
                namePrefix,
                networkName: backend.name,
                image: args.postgisImage,
                memoryMb: args.postgisMemoryMb,
                publishPort: args.publishDatabasePort,
                protectData: args.protectData,
            },
            { parent: this },
        );
        const geoserver = new GeoServer(
            `${name}-geoserver`,
            {
                namePrefix,
                domain: args.domain,
                image: image.run,
                backendNetworkName: backend.name,
                proxyNetworkName: proxy.name,
                databaseHost: postgis.host,
                databasePort: 5432,
                databaseName: postgis.database,
                databaseUser: postgis.username,
                databasePassword: postgis.password,
                adminUser: args.geoserverAdminUser,
                memoryMb: args.geoserverMemoryMb,
                protectData: args.protectData,
            },
            // PostGIS's container waits until healthy, so GeoServer starts against a ready database.
            { parent: this, dependsOn: [postgis] },
        );
        const traefik = new TraefikProxy(
            `${name}-traefik`,
            { namePrefix, proxyNetworkName: proxy.name, image: args.traefikImage, memoryMb: args.traefikMemoryMb },
            { parent: this },
        );

        this.url = geoserver.url;
        this.adminUser = geoserver.adminUser;
        this.adminPassword = geoserver.adminPassword;
        this.databasePassword = postgis.password;
        this.databaseSuperuserPassword = postgis.superuserPassword;
        this.databaseAddress = postgis.publishedAddress;
        this.containerNames = pulumi.all([postgis.containerName, geoserver.containerName, traefik.containerName]);
        this.volumeNames = pulumi.all([postgis.volumeName, geoserver.volumeName]);
        this.geoserverImageName = image.name;
        this.geoserverImageDigest = image.digest;
        this.registerOutputs({
            url: this.url,
            adminUser: this.adminUser,
            adminPassword: this.adminPassword,
            databasePassword: this.databasePassword,
            databaseSuperuserPassword: this.databaseSuperuserPassword,
            databaseAddress: this.databaseAddress,
            containerNames: this.containerNames,
            volumeNames: this.volumeNames,
            geoserverImageName: this.geoserverImageName,
            geoserverImageDigest: this.geoserverImageDigest,
        });
    }

    /**
     * The GeoServer image and what the container runs (`run`). A registry image is run through a RemoteImage by its
     * image ID: the container is not replaced on every `up`, and a remote Docker host pulls exactly that digest. An
     * unpushed build is in the Docker host's image store only, so its local image ID is run directly.
     */
    private imageToRun(name: string, args: GeoStackArgs, geoserverVersion: string, platform: string) {
        const pull = (reference: pulumi.Input<string>) =>
            // keepLocally: replacing or deleting this resource must not remove an image a container may still use.
            new docker.RemoteImage(`${name}-geoserver-image`, { name: reference, platform, keepLocally: true }, { parent: this });

        if (args.geoserverImage !== undefined) {
            const prebuilt = pull(args.geoserverImage);
            return { name: pulumi.output(args.geoserverImage), digest: prebuilt.repoDigest, run: prebuilt.imageId };
        }
        const built = new GeoServerImage(
            `${name}-geoserver-image`,
            {
                repository: args.imageRepository ?? DEFAULT_IMAGE_REPOSITORY,
                geoserverVersion,
                extensions: args.geoserverExtensions,
                platform,
                push: args.pushImage,
                registryUsername: args.registryUsername,
                registryPassword: args.registryPassword,
                source: args.imageSource,
            },
            { parent: this },
        );
        if (!args.pushImage) return { name: built.imageName, digest: built.repoDigest, run: built.repoDigest };
        const pushed = pull(built.repoDigest);
        return { name: built.imageName, digest: built.repoDigest, run: pushed.imageId };
    }
}
