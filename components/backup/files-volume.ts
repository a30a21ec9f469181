import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { withContainerDefaults } from "../shared/container";
import { BACKUP_TOOLS_DIR, type ToolFile } from "./scripts";

const LOADER_MEMORY_MB = 16;
const LOADER_CPUS = "0.1";

export interface FilesVolumeArgs {
    namePrefix: string;
    /** The volume and its loader are `<namePrefix>-<role>`. */
    role: string;
    /** An image on the Docker host (the loader never runs it): the reading container's own. */
    image: pulumi.Input<string>;
    tools: ToolFile[];
    /** Secret files, by path under BACKUP_TOOLS_DIR: uploaded as Pulumi secrets, for `reader` alone (0400). */
    secrets: Record<string, pulumi.Input<string>>;
    /** The uid and gid the reading container runs as. */
    reader: { uid: string; gid: string };
}

/**
 * A volume of files for a container whose root filesystem is read-only, which Docker cannot copy files into: the
 * provider extracts `uploads` at `/` (kreuzwerker/terraform-provider-docker, resource_docker_container_funcs.go), and
 * moby refuses any extraction onto a read-only root, even of a path inside a volume (moby/moby,
 * daemon/archive_unix.go, checkWritablePath). So the files are uploaded into this volume through a loader container
 * that is created and never started, and the read-only container mounts the volume read-only at BACKUP_TOOLS_DIR.
 * Uploads replace the loader when they change; the tools reach the volume as root's (0755, 0644), the secrets as the
 * reader's (0400), as Postgis uploads its password files.
 */
export function filesVolume(name: string, args: FilesVolumeArgs, parent: pulumi.Resource): { volume: docker.Volume; loader: docker.Container } {
    const dockerName = `${args.namePrefix}-${args.role}`;
    const volume = new docker.Volume(`${name}-files`, { name: dockerName }, { parent });
    const uploads: docker.types.input.ContainerUpload[] = [
        ...args.tools.map((tool) => ({ file: `${BACKUP_TOOLS_DIR}/${tool.path}`, content: tool.content, permissions: tool.permissions })),
        ...Object.entries(args.secrets).map(([file, content]) => ({
            file: `${BACKUP_TOOLS_DIR}/${file}`,
            content: pulumi.secret(content),
            owner: args.reader.uid,
            group: args.reader.gid,
            permissions: "0400",
        })),
    ];
    // Never started, and so never restarted either, whatever its restart policy (moby daemon.go restores only containers
    // that HasBeenStartedBefore): the defaults are for the policy's sake; it needs no more than the smallest limits.
    const loader = new docker.Container(
        `${name}-files`,
        withContainerDefaults(
            { namePrefix: args.namePrefix, role: args.role, memoryMb: LOADER_MEMORY_MB, cpus: LOADER_CPUS },
            {
                image: args.image,
                start: false,
                mustRun: false,
                // Were someone to start it, it would exit at once.
                entrypoints: ["true"],
                capabilities: { drops: ["ALL"] },
                volumes: [{ volumeName: volume.name, containerPath: BACKUP_TOOLS_DIR }],
                uploads,
            },
        ),
        { parent, dependsOn: [volume] },
    );
    return { volume, loader };
}
