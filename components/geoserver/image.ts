import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DEFAULT_GEOSERVER_VERSION, DEFAULT_IMAGE_PLATFORM } from "../defaults";
import { arg, type Check, type EntriesFor, problem, resolveOrThrow, spec } from "../shared/args";
import { httpsUrl, imageRepository, pushableRepository, token } from "../shared/checks";
import { registryHostOf } from "../shared/image-ref";
import { extensionList } from "./extensions";
import { buildFingerprint, buildTag, defaultImageContext, geoserverBuildArgs, readBuildContext, REVISION_BUILD_ARG } from "./image-build";

/** Platforms the official GeoServer image is published for. */
export const IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

const imagePlatform: Check<string> = (value) => ((IMAGE_PLATFORMS as readonly string[]).includes(value) ? undefined : `one of ${IMAGE_PLATFORMS.join(", ")}`);

export const geoserverVersion: Check<string> = (value) =>
    /^\d+\.\d+\.(\d+|x)(-[A-Za-z0-9.]+)?$/.test(value) ? undefined : "a GeoServer release such as 2.28.4 or 3.0.1";

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

export const GEOSERVER_IMAGE_SPEC = spec(
    {
        repository: arg.required<string>("string", { check: imageRepository }),
        geoserverVersion: arg.withDefault<string>(DEFAULT_GEOSERVER_VERSION, { check: geoserverVersion }),
        extensions: arg.withDefault<string[]>([]),
        platform: arg.withDefault<string>(DEFAULT_IMAGE_PLATFORM, { check: imagePlatform }),
        push: arg.withDefault(false),
        registryUsername: arg.optional<string>("string", { check: token }),
        registryPassword: arg.optional<pulumi.Input<string>>("string", { secret: true }),
        source: arg.optional<string>("string", { check: httpsUrl }),
        context: arg.optional<string>("string"),
    } satisfies EntriesFor<GeoServerImageArgs>,
    [
        {
            keys: ["extensions", "geoserverVersion"],
            check: ({ extensions, geoserverVersion }, name) => {
                const expected = extensionList(geoserverVersion)(extensions);
                return expected && problem(name("extensions"), extensions, expected);
            },
        },
        {
            keys: ["push", "repository"],
            check: ({ push, repository }, name) => {
                const expected = push ? pushableRepository(repository) : undefined;
                return expected && problem(name("repository"), repository, expected);
            },
        },
        {
            keys: ["push", "registryUsername", "registryPassword"],
            check: ({ push, registryUsername, registryPassword }, name) => {
                const missing = push
                    ? (["registryUsername", "registryPassword"] as const).filter((key) => ({ registryUsername, registryPassword })[key] === undefined)
                    : [];
                return missing.length === 0
                    ? undefined
                    : `${missing.map(name).join(" and ")} must be set when ${name("push")} is true: the registry login (docs/geoserver-image.md, "Logging in to ghcr.io")`;
            },
        },
    ],
);

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
        const settings = resolveOrThrow(GEOSERVER_IMAGE_SPEC, args, `Invalid arguments for GeoServerImage "${name}"`);
        super("geostack:index:GeoServerImage", name, {}, opts);
        const { repository, geoserverVersion: version, extensions, platform, push } = settings;
        const context = settings.context ?? defaultImageContext();

        const buildArgs = geoserverBuildArgs({ geoserverVersion: version, extensions, source: settings.source ?? "" });
        const fingerprint = buildFingerprint({ files: readBuildContext(context), buildArgs, platform });
        const imageName = `${repository}:${version}`;
        const buildRef = `${repository}:${buildTag(version, fingerprint)}`;
        // The token stays a secret whatever the caller passed (a plain string from another language's SDK included).
        const login = push
            ? { server: registryHostOf(repository)!, username: settings.registryUsername!, password: pulumi.secret(settings.registryPassword!) }
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
