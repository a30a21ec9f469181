import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { instanceLabels, toLabelList } from "../shared/container";
import { BACKUP_TOOLS_DIR, type ToolFile } from "./scripts";

export interface FilesVolumeArgs {
    namePrefix: string;
    /** The volume and its loader are `<namePrefix>-<role>`. */
    role: string;
    /** An image on the Docker host (the loader never runs it): the reading container's own. */
    image: pulumi.Input<string>;
    tools: ToolFile[];
    /** Secret files, by path under BACKUP_TOOLS_DIR: uploaded as Pulumi secrets, readable by the reader's user. */
    secrets: Record<string, pulumi.Input<string>>;
}

/**
 * A volume of files for a container whose root filesystem is read-only, which Docker cannot copy files into: the
 * provider extracts `uploads` at `/` (kreuzwerker/terraform-provider-docker, resource_docker_container_funcs.go), and
 * moby refuses any extraction onto a read-only root, even of a path inside a volume (moby/moby,
 * daemon/archive_unix.go, checkWritablePath). So the files are uploaded into this volume through a loader container
 * that is created and never started, and the read-only container mounts the volume read-only at BACKUP_TOOLS_DIR.
 * Uploads replace the loader when they change; files reach the volume as root's, mode 0755 or 0644.
 */
export function filesVolume(name: string, args: FilesVolumeArgs, parent: pulumi.Resource): { volume: docker.Volume; loader: docker.Container } {
    const dockerName = `${args.namePrefix}-${args.role}`;
    const volume = new docker.Volume(`${name}-files`, { name: dockerName }, { parent });
    const uploads: docker.types.input.ContainerUpload[] = [
        ...args.tools.map((tool) => ({ file: `${BACKUP_TOOLS_DIR}/${tool.path}`, content: tool.content, permissions: tool.permissions })),
        ...Object.entries(args.secrets).map(([file, content]) => ({
            file: `${BACKUP_TOOLS_DIR}/${file}`,
            content: pulumi.secret(content),
            permissions: "0644",
        })),
    ];
    // Not under withContainerDefaults: it never runs, so it needs no restart policy, limits or logs, and a restart
    // policy would have Docker start it when the daemon restarts.
    const loader = new docker.Container(
        `${name}-files`,
        {
            name: dockerName,
            image: args.image,
            start: false,
            mustRun: false,
            restart: "no",
            // Were someone to start it, it would exit at once.
            entrypoints: ["true"],
            volumes: [{ volumeName: volume.name, containerPath: BACKUP_TOOLS_DIR }],
            uploads,
            labels: toLabelList(instanceLabels(args.namePrefix, args.role)),
        },
        { parent, dependsOn: [volume] },
    );
    return { volume, loader };
}
