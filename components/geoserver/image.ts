import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as dockerbuild from "@pulumi/docker-build";
import { DEFAULT_GEOSERVER_VERSION } from "../defaults";
import { arg, type Check, type EntriesFor, problem, resolveOrThrow, spec } from "../shared/args";
import { httpsUrl, imageRepository, pushableRepository, token } from "../shared/checks";
import { registryHostOf } from "../shared/image-ref";
import { EXTENSION_PINS_FILE, extensionList, unpinnedZips } from "./extensions";
import { defaultImageContext, geoserverBuildArgs } from "./image-build";

/** Platforms the official GeoServer image is published for. */
export const IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

const imagePlatform: Check<string> = (value) => ((IMAGE_PLATFORMS as readonly string[]).includes(value) ? undefined : `one of ${IMAGE_PLATFORMS.join(", ")}`);

export const geoserverVersion: Check<string> = (value) =>
    /^\d+\.\d+\.(\d+|x)(-[A-Za-z0-9.]+)?$/.test(value) ? undefined : "a GeoServer release such as 2.28.4 or 3.0.1";

/**
 * The buildx builder of the Docker engine itself (the `docker` driver, named after the Docker context, which is
 * `default` whenever the host is given as docker-build's `host` or DOCKER_HOST). Without a name, docker-build never
 * uses it: it boots a privileged `moby/buildkit` container on the host, left running outside the stack
 * (pulumi-docker-build provider/internal/host.go, builderFor; buildx driver/docker-container/driver.go). The engine's
 * builder writes the image straight into the engine's store, where `digest` is then the image ID a container runs
 * (moby builder-next/exporter/mobyexporter/export.go; buildx build/opt.go, prefer-image-digest on containerd stores).
 */
export const ENGINE_BUILDER = "default";

export interface GeoServerImageArgs {
    /** Repository without tag: `ghcr.io/<owner>/geoserver` to push, or a local name such as `geostack/geoserver`. */
    repository: string;
    /** The official GeoServer release the image is based on; also its tag. */
    geoserverVersion?: string;
    /** Official extension names, baked into the image at build time; each zip must be pinned unless `allowUnpinnedExtensions`. */
    extensions?: string[];
    /** Build with extension zips that `extension-checksums.sha256` does not pin (trust on first use; the build logs their sha256). */
    allowUnpinnedExtensions?: boolean;
    /** Build platform (`linux/amd64` or `linux/arm64`); unset builds for the Docker host's own platform. */
    platform?: string;
    /** Push the image to the repository's registry, beside the container, not before it; needs `registryUsername` and `registryPassword`. */
    push?: boolean;
    /** The registry login, used only with `push`: a local build never hands it to any resource. */
    registryUsername?: string;
    /** Registry token (GitHub: one with `write:packages`); always handled as a secret. */
    registryPassword?: pulumi.Input<string>;
    /** URL of the repository holding the Dockerfile, for the `org.opencontainers.image.source` label. */
    source?: string;
    /** Build context folder (holding the Dockerfile and the pin file), relative to the working directory; defaults to GeoStack's images/geoserver. */
    context?: string;
}

export const GEOSERVER_IMAGE_SPEC = spec(
    {
        repository: arg.required<string>("string", { check: imageRepository }),
        geoserverVersion: arg.withDefault<string>(DEFAULT_GEOSERVER_VERSION, { check: geoserverVersion }),
        extensions: arg.withDefault<string[]>([]),
        allowUnpinnedExtensions: arg.withDefault(false),
        platform: arg.optional<string>("string", { check: imagePlatform }),
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
            // Refused here, before anything is created, rather than minutes into the build, which refuses them too.
            // `context` is read as given (no check of its own): GeoStack, which has none, gets the default.
            keys: ["extensions", "geoserverVersion", "allowUnpinnedExtensions"],
            check: ({ extensions, geoserverVersion, allowUnpinnedExtensions, context }, name) => {
                if (allowUnpinnedExtensions || extensions.length === 0 || extensionList(geoserverVersion)(extensions) !== undefined) return undefined;
                const folder = context ?? defaultImageContext();
                const unpinned = unpinnedZips(folder, geoserverVersion, extensions);
                return unpinned.length === 0
                    ? undefined
                    : problem(
                          name("extensions"),
                          extensions,
                          `extensions whose zips ${path.posix.join(folder, EXTENSION_PINS_FILE)} pins; not pinned: ${unpinned.join(", ")}. ` +
                              `Pin them with npm run pin-extensions and review the diff (docs/geoserver-image.md, "Extensions"), ` +
                              `or set ${name("allowUnpinnedExtensions")} to true to trust them on first use`,
                      );
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
 * The GeoServer image, built from `images/geoserver` with `@pulumi/docker-build` by the Docker engine that runs it
 * (docker-build's provider must point at the same host as the `docker` provider), tagged
 * `<repository>:<geoserverVersion>` and loaded into that engine's image store. A container runs it by `imageId` at
 * once. With `push`, the engine pushes that same image to the registry in parallel, and `repoDigest` records the
 * digest the registry reports; without it no registry credential is used or stored.
 */
export class GeoServerImage extends pulumi.ComponentResource {
    /** `<repository>:<geoserverVersion>`. */
    readonly imageName: pulumi.Output<string>;
    /** The image ID on the Docker host (`sha256:...`), known once built: what a container runs, without waiting for a push. */
    readonly imageId: pulumi.Output<string>;
    /** Pushed: `<repository>@sha256:<manifest digest>`, as the registry reports it after the push. Not pushed: the image ID. */
    readonly repoDigest: pulumi.Output<string>;

    constructor(name: string, args: GeoServerImageArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveOrThrow(GEOSERVER_IMAGE_SPEC, args, `Invalid arguments for GeoServerImage "${name}"`);
        super("geostack:index:GeoServerImage", name, {}, opts);
        const { repository, geoserverVersion: version, extensions, platform, push } = settings;
        const context = settings.context ?? defaultImageContext();
        const imageName = `${repository}:${version}`;
        // The token stays a secret whatever the caller passed (a plain string from another language's SDK included).
        const login = push
            ? { address: registryHostOf(repository)!, username: settings.registryUsername!, password: pulumi.secret(settings.registryPassword!) }
            : undefined;

        const image = new dockerbuild.Image(
            name,
            {
                context: { location: context },
                dockerfile: { location: path.posix.join(context, "Dockerfile") },
                buildArgs: geoserverBuildArgs({
                    geoserverVersion: version,
                    extensions,
                    allowUnpinnedExtensions: settings.allowUnpinnedExtensions,
                    source: settings.source ?? "",
                }),
                // None given: buildx builds for the builder's own platform, the Docker host's.
                platforms: platform === undefined ? undefined : [platform as dockerbuild.Platform],
                tags: [imageName],
                builder: { name: ENGINE_BUILDER },
                // Into the engine's image store, where the container runs it by ID: nothing waits on a registry.
                load: true,
                // Pushing here would put the upload in front of the container: the RegistryImage below pushes beside it.
                push: false,
                // A host that never built it takes the layers of the last push; the push carries the cache metadata.
                cacheFrom: login && [{ registry: { ref: imageName } }],
                cacheTo: login && [{ inline: {} }],
                registries: login && [login],
            },
            // Deleting the resource must not delete an image a container runs (docker-build removes its tags on delete).
            { parent: this, retainOnDelete: true },
        );

        const pushed =
            login &&
            new docker.RegistryImage(
                `${name}-push`,
                {
                    // The engine pushes the image the build just tagged: exactly the one the container runs.
                    name: imageName,
                    authConfig: { address: login.address, username: login.username, password: login.password },
                    // A registry keeps what was pushed: `pulumi destroy` must not delete a digest a deployment may run.
                    keepRemotely: true,
                    triggers: { imageId: image.digest },
                },
                { parent: this },
            );

        this.imageName = pulumi.output(imageName);
        this.imageId = image.digest;
        this.repoDigest = pushed ? pulumi.interpolate`${repository}@${pushed.sha256Digest}` : image.digest;
        this.registerOutputs({ imageName: this.imageName, imageId: this.imageId, repoDigest: this.repoDigest });
    }
}
