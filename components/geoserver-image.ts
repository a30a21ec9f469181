import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DEFAULT_GEOSERVER_VERSION, DEFAULT_IMAGE_PLATFORM } from "./helpers/defaults";
import {
    buildFingerprint,
    buildTag,
    defaultImageContext,
    geoserverBuildArgs,
    readBuildContext,
    REVISION_BUILD_ARG,
} from "./helpers/geoserver-image-build";
import { registryHostOf } from "./helpers/images";
import {
    check,
    isExtensionList,
    isGeoserverVersion,
    isHttpsUrl,
    isImagePlatform,
    isImageRepository,
    isPushableRepository,
    problem,
    requireValid,
} from "./helpers/validation";

export interface GeoServerImageArgs {
    /** Repository without tag: `ghcr.io/<owner>/geoserver` to push, or a local name such as `geostack/geoserver`. */
    repository: string;
    /** The official GeoServer release the image is based on; also its first tag. */
    geoserverVersion?: string;
    /** Official extension names, baked into the image at build time. */
    extensions?: string[];
    /** Build platform, `linux/amd64` by default. */
    platform?: string;
    /** Push both tags to the repository's registry; needs `registryUsername` and `registryPassword`. */
    push?: boolean;
    /** The registry login, used only with `push`: a local build never hands it to any resource. */
    registryUsername?: string;
    /** Registry token (GitHub: one with `write:packages`); always handled as a secret. */
    registryPassword?: pulumi.Input<string>;
    /** URL of the repository holding the Dockerfile, for the `org.opencontainers.image.source` label. */
    source?: string;
    /** Build context folder (holding the Dockerfile), relative to the working directory; defaults to GeoStack's images/geoserver. */
    context?: string;
}

/**
 * The GeoServer image, built from `images/geoserver` with the version and extensions as build args. It is tagged
 * `<repository>:<version>` and `<repository>:<version>-<fingerprint of the build inputs>`; with `push`, both tags go
 * to the registry and the next build takes its cache from the first. Without `push` it stays in the Docker host's
 * image store and no registry credential is used or stored.
 */
export class GeoServerImage extends pulumi.ComponentResource {
    /** `<repository>:<geoserverVersion>`. */
    readonly imageName: pulumi.Output<string>;
    /** Pushed: `<repository>@sha256:<manifest digest>`. Not pushed: the local image ID, `sha256:<id>`. */
    readonly repoDigest: pulumi.Output<string>;
    /** `<repository>:<geoserverVersion>-<fingerprint>`, which changes whenever the build inputs change (pushed too, with push). */
    readonly buildTag: pulumi.Output<string>;

    constructor(name: string, args: GeoServerImageArgs, opts?: pulumi.ComponentResourceOptions) {
        const version = args.geoserverVersion ?? DEFAULT_GEOSERVER_VERSION;
        const extensions = args.extensions ?? [];
        const platform = args.platform ?? DEFAULT_IMAGE_PLATFORM;
        const push = args.push ?? false;
        const context = args.context ?? defaultImageContext();
        requireValid(`Invalid arguments for GeoServerImage "${name}"`, [
            check("repository", args.repository, push ? isPushableRepository : isImageRepository),
            check("geoserverVersion", version, isGeoserverVersion),
            check("extensions", extensions, isExtensionList(version)),
            check("platform", platform, isImagePlatform),
            args.source === undefined ? undefined : check("source", args.source, isHttpsUrl),
            push && (!args.registryUsername || args.registryPassword === undefined)
                ? problem("push", push, "registryUsername and registryPassword to be given (the registry login)")
                : undefined,
        ]);
        // Validated before super(): a bad argument registers nothing, not even this component.
        super("geostack:index:GeoServerImage", name, {}, opts);

        const buildArgs = geoserverBuildArgs({ geoserverVersion: version, extensions, source: args.source ?? "" });
        const fingerprint = buildFingerprint({ files: readBuildContext(context), buildArgs, platform });
        const imageName = `${args.repository}:${version}`;
        const buildRef = `${args.repository}:${buildTag(version, fingerprint)}`;
        const registryServer = registryHostOf(args.repository);
        const login = push
            ? { server: registryServer!, username: args.registryUsername!, password: pulumi.secret(args.registryPassword!) }
            : undefined;

        const image = new docker.Image(
            name,
            {
                imageName,
                build: {
                    context,
                    dockerfile: path.posix.join(context, "Dockerfile"),
                    args: { ...buildArgs, [REVISION_BUILD_ARG]: fingerprint },
                    platform,
                    builderVersion: docker.types.enums.BuilderVersion.BuilderBuildKit,
                    // The previous push of this version; a local build has its layers in the Docker host already.
                    cacheFrom: push ? { images: [imageName] } : undefined,
                },
                skipPush: !push,
                registry: login,
            },
            { parent: this },
        );

        const tag = new docker.Tag(
            `${name}-build-tag`,
            { sourceImage: image.imageName, targetImage: buildRef, tagTriggers: [image.repoDigest] },
            { parent: this },
        );
        const pushed =
            login &&
            new docker.RegistryImage(
                `${name}-build-tag-push`,
                {
                    name: tag.targetImage,
                    authConfig: { address: login.server, username: login.username, password: login.password },
                    // A registry keeps what was pushed: `pulumi destroy` must not delete a digest a deployment may run.
                    keepRemotely: true,
                    triggers: { repoDigest: image.repoDigest },
                },
                { parent: this },
            );

        this.imageName = image.imageName;
        this.repoDigest = image.repoDigest;
        // Once pushed, when pushing: then the tag can be pulled by anyone with access to the registry.
        this.buildTag = pushed ? pushed.name : tag.targetImage;
        this.registerOutputs({ imageName: this.imageName, repoDigest: this.repoDigest, buildTag: this.buildTag });
    }
}
